using System.Text;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Tags;

namespace OrleansEdge.Grains.Interfaces.Invalidations;

/// <summary>
/// CloudFront's rules for invalidation items: <c>#tag</c> (exact, no wildcards), <c>/path</c> with an
/// optional <c>?query</c>, or <c>/prefix*</c> with <c>*</c> only last. Paths are read in the normal form of
/// <see cref="RequestTargets"/>, the one cache keys hold: spaces and non-ASCII percent-encoded, as viewers' clients send them.
/// </summary>
public static class InvalidationItemParser
{
    /// <summary>A tag as the origin sends it, in the item form (<c>#tag</c>); a leading <c>#</c> already there is accepted.</summary>
    public static string TagItem(string? tag) => tag is null ? "#" : tag.StartsWith('#') ? tag : "#" + tag;

    public static bool TryParse(string item, int maxLength, out InvalidationItem parsed, out string error)
    {
        parsed = null!;
        if (item.Length > maxLength)
        {
            error = $"The item '{Shorten(item)}' is longer than {maxLength} characters.";
            return false;
        }

        // Checked before anything is recorded: a control character or a broken UTF-16 sequence can be neither
        // sent by a viewer nor written back in a record's XML, so such an item could only ever fail later.
        if (FindUnprintable(item) is { } position)
        {
            error = $"The item '{Shorten(item)}' contains a control character or an invalid character at position {position}; percent-encode it (e.g. %01).";
            return false;
        }

        if (item.StartsWith('#'))
        {
            if (!CacheTagRules.TryNormalize(item.AsSpan(1), out var tag))
            {
                error = $"The item '{Shorten(item)}' is not a valid cache tag: after '#', 1 to 256 visible ASCII characters, without spaces or commas.";
                return false;
            }

            parsed = new InvalidationItem(InvalidationItemKind.Tag, tag);
            error = "";
            return true;
        }

        if (!item.StartsWith('/'))
        {
            error = $"The item '{Shorten(item)}' must start with '/' (a path) or '#' (a cache tag).";
            return false;
        }

        var star = item.IndexOf('*');
        if (star >= 0 && star != item.Length - 1)
        {
            error = $"The item '{Shorten(item)}' has a '*' that is not its last character; a wildcard may only end a path.";
            return false;
        }

        // In the form the cache keys hold, so that every spelling of the URL names the object.
        parsed = star >= 0
            ? new InvalidationItem(InvalidationItemKind.Prefix, RequestTargets.NormalizePrefix(item[..^1]))
            : new InvalidationItem(InvalidationItemKind.Path, RequestTargets.Normalize(item));
        error = "";
        return true;
    }

    /// <summary>
    /// The index of the first character that is a control character (C0, DEL, C1), an unpaired surrogate or a
    /// noncharacter (U+FFFE, U+FFFF, U+FDD0–U+FDEF), or null when there is none.
    /// </summary>
    public static int? FindUnprintable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (IsUnprintable(c))
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>The text with every character <see cref="FindUnprintable"/> objects to written as <c>\uXXXX</c>: safe in a log, JSON or XML.</summary>
    public static string Printable(string text)
    {
        if (FindUnprintable(text) is null)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else if (IsUnprintable(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    // Called only where c is not the first half of a valid surrogate pair, so any surrogate here is unpaired.
    private static bool IsUnprintable(char c) => char.IsControl(c) || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF' or >= '\uFDD0' and <= '\uFDEF';

    private static string Shorten(string item) => Printable(item.Length <= 80 ? item : string.Concat(item.AsSpan(0, 77), "..."));
}

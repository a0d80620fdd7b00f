using System.Text;
using OrleansEdge.Grains.Interfaces.Tags;

namespace OrleansEdge.Grains.Interfaces.Invalidations;

/// <summary>
/// CloudFront's rules for invalidation items: <c>#tag</c> (exact, no wildcards), <c>/path</c> with an
/// optional <c>?query</c>, or <c>/prefix*</c> with <c>*</c> only last. Characters a URL may not hold as
/// they are (spaces, non-ASCII …) are percent-encoded, as viewers' clients send them.
/// </summary>
public static class InvalidationItemParser
{
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

        var target = EncodeTarget(star >= 0 ? item[..^1] : item);
        parsed = new InvalidationItem(star >= 0 ? InvalidationItemKind.Prefix : InvalidationItemKind.Path, target);
        error = "";
        return true;
    }

    /// <summary>Percent-encodes (UTF-8, upper-case hex) every character a request target cannot carry as it is.</summary>
    public static string EncodeTarget(string target)
    {
        var clean = true;
        foreach (var c in target)
        {
            if (!IsTargetChar(c))
            {
                clean = false;
                break;
            }
        }

        if (clean)
        {
            return target;
        }

        var builder = new StringBuilder(target.Length + 16);
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < target.Length; i++)
        {
            var c = target[i];
            if (IsTargetChar(c))
            {
                builder.Append(c);
                continue;
            }

            var length = char.IsHighSurrogate(c) && i + 1 < target.Length
                ? Encoding.UTF8.GetBytes(target.AsSpan(i++, 2), bytes)
                : Encoding.UTF8.GetBytes(target.AsSpan(i, 1), bytes);
            foreach (var b in bytes[..length])
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    // RFC 3986 unreserved and reserved characters, and '%' of an existing escape; '#' is a fragment and never reaches a server.
    private static bool IsTargetChar(char c) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9'
            or '-' or '.' or '_' or '~' or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '='
            or ':' or '@' or '/' or '?' or '%' or '[' or ']';

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

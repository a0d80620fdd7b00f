using System.Text;

namespace OrleansEdge.Grains.Interfaces.Keys;

/// <summary>
/// One spelling per URL (SPEC §3a): the form of a request target that is cached, fetched from the origin and matched
/// by invalidations, so every spelling a viewer may send is one object and one purge reaches it.
/// </summary>
/// <remarks>
/// RFC 3986 §6.2.2: characters a target may not hold as they are get percent-encoded (UTF-8), escapes of unreserved
/// characters are decoded, hex digits are upper-cased and dot segments are removed. Duplicate slashes stay: an origin
/// may tell <c>//a</c> from <c>/a</c>. The query's parameters are sorted by name (stable, so repeats keep their
/// order) and empty ones dropped. A normal target holds no space, which is what lets a cache key append to it.
/// </remarks>
public static class RequestTargets
{
    /// <summary>Whether <paramref name="target"/> is already in normal form. Allocates nothing: the hit path asks it.</summary>
    public static bool IsNormal(ReadOnlySpan<char> target)
    {
        // Vectorised scans first: a typical target has no escape, no dot segment and at most a few parameters.
        if (target.IsEmpty || target[0] != '/' || target.ContainsAnyExcept(TargetChars))
        {
            return false;
        }

        var query = target.IndexOf('?');
        var path = query < 0 ? target : target[..query];
        if ((path.Contains("/.", StringComparison.Ordinal) && HasDotSegment(path)) || (target.Contains('%') && !EscapesAreNormal(target)))
        {
            return false;
        }

        if (query < 0)
        {
            return true;
        }

        var rest = target[(query + 1)..];
        var previous = ReadOnlySpan<char>.Empty;
        foreach (var range in rest.Split('&'))
        {
            var parameter = rest[range];
            var name = NameOf(parameter);
            if (parameter.IsEmpty || name.SequenceCompareTo(previous) < 0)
            {
                return false;
            }

            previous = name;
        }

        return true;
    }

    /// <summary>The normal form of a target that starts with <c>/</c>; the same instance when it is normal already.</summary>
    public static string Normalize(string target)
    {
        if (IsNormal(target))
        {
            return target;
        }

        var query = target.IndexOf('?');
        var path = RemoveDotSegments(NormalizeText(query < 0 ? target : target[..query]), prefix: false);
        if (query < 0)
        {
            return path;
        }

        // Each parameter's text is normalised alone, so an encoded '&' or '=' stays encoded and part of its parameter.
        var parameters = target[(query + 1)..]
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(NormalizeText)
            .OrderBy(static p => NameOf(p).ToString(), StringComparer.Ordinal)
            .ToArray();
        return parameters.Length == 0 ? path : string.Concat(path, "?", string.Join('&', parameters));
    }

    /// <summary>
    /// The normal form of a wildcard invalidation's prefix: as <see cref="Normalize"/>, except that its last,
    /// possibly partial segment is kept (<c>/a/.*</c> names <c>/a/.hidden</c>), and a query in it is left in order.
    /// </summary>
    public static string NormalizePrefix(string prefix)
    {
        var query = prefix.IndexOf('?');
        var path = RemoveDotSegments(NormalizeText(query < 0 ? prefix : prefix[..query]), prefix: query < 0);
        return query < 0 ? path : string.Concat(path, "?", NormalizeText(prefix[(query + 1)..]));
    }

    /// <summary>The name of a query parameter: what precedes its first <c>=</c>.</summary>
    public static ReadOnlySpan<char> NameOf(ReadOnlySpan<char> parameter)
    {
        var equals = parameter.IndexOf('=');
        return equals < 0 ? parameter : parameter[..equals];
    }

    /// <summary>Whether every escape is complete, in upper-case hex, and of a character that must stay escaped.</summary>
    private static bool EscapesAreNormal(ReadOnlySpan<char> text)
    {
        for (var i = text.IndexOf('%'); i >= 0; i = text.IndexOf('%'))
        {
            if (i + 2 >= text.Length || !IsUpperHex(text[i + 1]) || !IsUpperHex(text[i + 2])
                || IsUnreserved((char)(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]))))
            {
                return false;
            }

            text = text[(i + 3)..];
        }

        return true;
    }

    private static string NormalizeText(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        Span<byte> bytes = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
            {
                var decoded = (char)(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
                if (IsUnreserved(decoded))
                {
                    builder.Append(decoded);
                }
                else
                {
                    builder.Append('%').Append(char.ToUpperInvariant(text[i + 1])).Append(char.ToUpperInvariant(text[i + 2]));
                }

                i += 2;
            }
            else if (c != '%' && IsTargetChar(c))
            {
                builder.Append(c);
            }
            else
            {
                // A stray '%' is written as the escape it stands for, so that the text reads back as it was sent.
                var length = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])
                    ? Encoding.UTF8.GetBytes(text.AsSpan(i++, 2), bytes)
                    : Encoding.UTF8.GetBytes(text.AsSpan(i, 1), bytes);
                foreach (var b in bytes[..length])
                {
                    builder.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 0xF]);
                }
            }
        }

        return builder.ToString();
    }

    /// <summary>RFC 3986 §5.2.4 on a path that starts with '/'. With <paramref name="prefix"/>, the last segment is kept as it is.</summary>
    private static string RemoveDotSegments(string path, bool prefix)
    {
        if (!HasDotSegment(prefix ? path[..(path.LastIndexOf('/') + 1)] : path))
        {
            return path;
        }

        var segments = path.Split('/');
        var kept = new List<string>(segments.Length);
        for (var i = 1; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            if (last && prefix)
            {
                kept.Add(segment);
            }
            else if (segment == ".")
            {
                if (last)
                {
                    kept.Add("");
                }
            }
            else if (segment == "..")
            {
                if (kept.Count > 0)
                {
                    kept.RemoveAt(kept.Count - 1);
                }

                if (last)
                {
                    kept.Add("");
                }
            }
            else
            {
                kept.Add(segment);
            }
        }

        return "/" + string.Join('/', kept);
    }

    private static bool HasDotSegment(ReadOnlySpan<char> path)
    {
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (segment is "." or "..")
            {
                return true;
            }
        }

        return false;
    }

    private const string Hex = "0123456789ABCDEF";

    private static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';

    private static bool IsUpperHex(char c) => char.IsAsciiDigit(c) || c is >= 'A' and <= 'F';

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>RFC 3986 unreserved and reserved characters, and '%' of an escape; '#' is a fragment and never reaches a server.</summary>
    private static readonly System.Buffers.SearchValues<char> TargetChars = System.Buffers.SearchValues.Create(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/?%[]");

    private static bool IsTargetChar(char c) => TargetChars.Contains(c);
}

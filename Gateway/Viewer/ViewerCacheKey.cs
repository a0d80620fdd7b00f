using System.Globalization;
using Microsoft.Extensions.Primitives;
using OrleansEdge.Gateway.Routing;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Gateway.Viewer;

/// <summary>
/// The cache key of a viewer request under its behavior's cache policy (SPEC §3a), in the layout of
/// <see cref="EdgeKeys"/>: the scope, the normal target with the query strings the policy keeps, and as the variant
/// the normalised <c>Accept-Encoding</c>, the cookies and the headers the policy puts in the key. The key is also
/// the request the cache fill sends, so what is not in it never reaches the origin on a fill.
/// </summary>
/// <remarks>Written into a caller's buffer, so that a hit allocates nothing.</remarks>
internal static class ViewerCacheKey
{
    private const string CookieLine = "cookie";

    /// <summary>Most cookies sorted on the stack; a request with more sorts them on the heap.</summary>
    private const int StackCookies = 32;

    /// <summary>No key written by <see cref="Write"/> for these arguments is longer than this.</summary>
    public static int MaxLength(string scope, ReadOnlySpan<char> target, CachePolicy policy, IHeaderDictionary headers)
    {
        var length = scope.Length + target.Length + 1 + OriginProfile.AcceptEncoding.Length + 6;
        if (policy.Cookies != KeyItems.None)
        {
            // "a=1;b=2" is written "a=1; b=2": at most one more character per character.
            foreach (var value in headers.Cookie)
            {
                length += CookieLine.Length + 2 + 2 * (value?.Length ?? 0);
            }
        }

        foreach (var name in policy.Headers)
        {
            length += name.Length + 2;
            foreach (var value in headers[name])
            {
                length += (value?.Length ?? 0) + 2;
            }
        }

        return length;
    }

    /// <summary>Writes the key into <paramref name="destination"/> (at least <see cref="MaxLength"/> long) and returns its length.</summary>
    public static int Write(Span<char> destination, string scope, ReadOnlySpan<char> target, CachePolicy policy, IHeaderDictionary headers)
    {
        var key = new SpanWriter(destination);
        key.Write(scope);
        var query = target.IndexOf('?');
        key.Write(query < 0 ? target : target[..query]);
        if (query >= 0 && policy.QueryStrings != KeyItems.None)
        {
            // The target is normal, so its parameters are sorted already: keeping some keeps them sorted.
            var parameters = target[(query + 1)..];
            var separator = '?';
            foreach (var range in parameters.Split('&'))
            {
                var parameter = parameters[range];
                if (CachePolicy.InKey(policy.QueryStrings, policy.QueryStringItems, RequestTargets.NameOf(parameter)))
                {
                    key.Write(separator);
                    key.Write(parameter);
                    separator = '&';
                }
            }
        }

        var variantStart = key.Position;
        key.Write(' ');
        var lines = 0;
        if (NormalizedEncoding(headers.AcceptEncoding) is { } encoding)
        {
            Line(ref key, ref lines, OriginProfile.AcceptEncoding);
            key.Write(encoding);
        }

        if (policy.Cookies != KeyItems.None)
        {
            WriteCookies(ref key, ref lines, policy, headers.Cookie);
        }

        foreach (var name in policy.Headers)
        {
            var values = headers[name];
            if (values.Count == 0)
            {
                continue;
            }

            Line(ref key, ref lines, name);
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0)
                {
                    key.Write(", ");
                }

                key.Write(values[i].AsSpan().Trim());
            }
        }

        return lines == 0 ? variantStart : key.Position;
    }

    /// <summary>
    /// <c>Accept-Encoding</c> as the key and the origin see it: <c>br</c> if the viewer accepts Brotli, else <c>gzip</c>
    /// if it accepts gzip, else nothing (SPEC §3a).
    /// </summary>
    public static string? NormalizedEncoding(StringValues acceptEncoding)
    {
        bool brotli = false, gzip = false;
        foreach (var value in acceptEncoding)
        {
            var text = value.AsSpan();
            foreach (var range in text.Split(','))
            {
                var coding = text[range];
                var parameters = coding.IndexOf(';');
                var name = (parameters < 0 ? coding : coding[..parameters]).Trim();
                if (parameters >= 0 && Refused(coding[(parameters + 1)..]))
                {
                    continue;
                }

                if (name.Equals("br", StringComparison.OrdinalIgnoreCase))
                {
                    brotli = true;
                }
                else if (name.Equals("gzip", StringComparison.OrdinalIgnoreCase) || name.Equals("x-gzip", StringComparison.OrdinalIgnoreCase) || name is "*")
                {
                    gzip = true;
                }
            }
        }

        return brotli ? "br" : gzip ? "gzip" : null;

        // "q=0" (RFC 9110 §12.4.2) means "not acceptable".
        static bool Refused(ReadOnlySpan<char> parameters)
        {
            foreach (var range in parameters.Split(';'))
            {
                var parameter = parameters[range].Trim();
                if (parameter.Length > 2 && parameter[1] == '=' && (parameter[0] | 0x20) == 'q')
                {
                    return double.TryParse(parameter[2..], NumberStyles.Float, CultureInfo.InvariantCulture, out var q) && q <= 0;
                }
            }

            return false;
        }
    }

    private static void WriteCookies(ref SpanWriter key, ref int lines, CachePolicy policy, StringValues cookieHeaders)
    {
        if (cookieHeaders.Count == 0)
        {
            return;
        }

        // HTTP/2 may split the Cookie header into several fields; they are one list (RFC 9113 §8.2.3).
        var text = (cookieHeaders.Count == 1 ? cookieHeaders[0] : string.Join("; ", (IEnumerable<string?>)cookieHeaders)).AsSpan();
        var count = text.Count(';') + 1;
        Span<Range> kept = count <= StackCookies ? stackalloc Range[StackCookies] : new Range[count];
        var keptCount = 0;
        foreach (var range in text.Split(';'))
        {
            var (offset, length) = range.GetOffsetAndLength(text.Length);
            var pair = text.Slice(offset, length);
            var trimmedStart = offset + (length - pair.TrimStart().Length);
            pair = pair.Trim();
            if (pair.IsEmpty || !CachePolicy.InKey(policy.Cookies, policy.CookieItems, CookieName(pair)))
            {
                continue;
            }

            // Sorted by name as they come (insertion sort: a request holds few cookies), stable for repeated names.
            var entry = new Range(trimmedStart, trimmedStart + pair.Length);
            var at = keptCount;
            while (at > 0 && CookieName(text[kept[at - 1]]).SequenceCompareTo(CookieName(pair)) > 0)
            {
                kept[at] = kept[at - 1];
                at--;
            }

            kept[at] = entry;
            keptCount++;
        }

        if (keptCount == 0)
        {
            return;
        }

        Line(ref key, ref lines, CookieLine);
        for (var i = 0; i < keptCount; i++)
        {
            if (i > 0)
            {
                key.Write("; ");
            }

            key.Write(text[kept[i]]);
        }
    }

    private static ReadOnlySpan<char> CookieName(ReadOnlySpan<char> pair)
    {
        var equals = pair.IndexOf('=');
        return (equals < 0 ? pair : pair[..equals]).TrimEnd();
    }

    private static void Line(ref SpanWriter key, ref int lines, string name)
    {
        if (lines++ > 0)
        {
            key.Write(EdgeKeys.VariantSeparator);
        }

        key.Write(name);
        key.Write(EdgeKeys.VariantNameEnd);
    }

    private ref struct SpanWriter(Span<char> destination)
    {
        private readonly Span<char> _destination = destination;

        public int Position { get; private set; }

        public void Write(char c) => _destination[Position++] = c;

        public void Write(ReadOnlySpan<char> text)
        {
            text.CopyTo(_destination[Position..]);
            Position += text.Length;
        }
    }
}

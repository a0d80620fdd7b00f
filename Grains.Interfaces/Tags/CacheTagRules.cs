namespace OrleansEdge.Grains.Interfaces.Tags;

/// <summary>
/// CloudFront's cache-tag rules: a comma-separated header value (or another separator, such as the space of Fastly's
/// Surrogate-Key), whitespace around each tag trimmed, each tag visible ASCII (33–126) without a comma, at most 256
/// characters, compared case-insensitively, and only the first 50 tags of an object count.
/// </summary>
public static class CacheTagRules
{
    public const int MaxTagLength = 256;
    public const int MaxTagsPerObject = 50;

    /// <summary>Header names must stay under 256 characters (SPEC §4).</summary>
    public const int MaxHeaderNameLength = 255;

    public const string DefaultHeader = "x-amz-meta-cache-tag";

    public const char DefaultSeparator = ',';

    /// <summary>
    /// The separators a distribution may choose: CloudFront's comma, the space of Fastly's Surrogate-Key and
    /// Cloudflare-style lists, or a semicolon or bar for origins that use those.
    /// </summary>
    public const string Separators = ", ;|";

    /// <summary>Whether <paramref name="name"/> is an RFC 7230 token (§3.2.6) short enough to be a tag header.</summary>
    public static bool IsValidHeaderName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxHeaderNameLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Validates one tag (already trimmed) and returns its lower-case form.</summary>
    public static bool TryNormalize(ReadOnlySpan<char> tag, out string normalized)
    {
        normalized = "";
        if (tag.IsEmpty || tag.Length > MaxTagLength)
        {
            return false;
        }

        Span<char> lower = stackalloc char[MaxTagLength];
        for (var i = 0; i < tag.Length; i++)
        {
            var c = tag[i];
            if (c < 33 || c > 126 || c == ',')
            {
                return false;
            }

            lower[i] = char.ToLowerInvariant(c);
        }

        // A tag many objects carry (category:books) is one string, shared by every copy and index entry naming it.
        normalized = Caching.StringPool.Shared.Intern(lower[..tag.Length]);
        return true;
    }

    /// <summary>Reads the tags of one response from every value of its tag header.</summary>
    public static ParsedTags Parse(IEnumerable<string> headerValues, char separator = DefaultSeparator)
    {
        var tags = new List<string>();
        var invalid = 0;
        var dropped = 0;
        foreach (var value in headerValues)
        {
            foreach (var range in value.AsSpan().Split(separator))
            {
                var part = value.AsSpan(range).Trim();
                if (part.IsEmpty)
                {
                    continue;
                }

                if (!TryNormalize(part, out var tag))
                {
                    invalid++;
                }
                else if (tags.Contains(tag))
                {
                    // "A" and "a" are one tag; it counts once toward the 50.
                }
                else if (tags.Count == MaxTagsPerObject)
                {
                    dropped++;
                }
                else
                {
                    tags.Add(tag);
                }
            }
        }

        return new ParsedTags(tags.ToArray(), invalid, dropped);
    }

    private static bool IsTokenChar(char c) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9'
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}

/// <summary>The tags that count, and how many were invalid or beyond the 50th.</summary>
public readonly record struct ParsedTags(string[] Tags, int Invalid, int BeyondLimit);

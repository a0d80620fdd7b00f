namespace OrleansEdge.Grains.Interfaces.Keys;

/// <summary>Builds the string keys of the edge's grains.</summary>
/// <remarks>
/// Parts are joined with a space because none of them can hold one: distribution and tenant ids are
/// validated tokens, a normal request target (<see cref="RequestTargets"/>) never contains a space, a
/// cache tag is ASCII 33–126 and a header name is an RFC 7230 token. So every key splits back
/// unambiguously, and a key prefix ("E1 t /img/") selects exactly the keys under a path prefix.
/// <para>
/// An object key is <c>scope target</c>, and for a variant (a request whose headers or cookies are in its cache
/// policy's key) <c>scope target variant</c>: the variant is the request headers the fill sends, one
/// <c>name:value</c> line each, names in lower case. A header value holds no line break (RFC 9110 §5.5), so the
/// lines split back, and everything that names a URL (path invalidations, wildcards) reaches all its variants.
/// </para>
/// </remarks>
public static class EdgeKeys
{
    /// <summary>The prefix shared by every object key of one distribution tenant.</summary>
    public static string Scope(string distribution, string tenant) => string.Concat(distribution, " ", tenant, " ");

    public static string Object(string scope, string target) => string.Concat(scope, target);

    /// <summary>A variant's key: <paramref name="variant"/> is <c>name:value</c> lines joined by <see cref="VariantSeparator"/>, or empty.</summary>
    public static string VariantObject(string scope, string target, string variant) =>
        variant.Length == 0 ? string.Concat(scope, target) : string.Concat(scope, target, " ", variant);

    /// <summary>Between the lines of a variant.</summary>
    public const char VariantSeparator = '\n';

    /// <summary>Between a variant line's header name and its value.</summary>
    public const char VariantNameEnd = ':';

    /// <summary>The target of an object key (its URL in normal form), without scope or variant.</summary>
    public static ReadOnlySpan<char> TargetOf(ReadOnlySpan<char> objectKeyAfterScope)
    {
        var space = objectKeyAfterScope.IndexOf(' ');
        return space < 0 ? objectKeyAfterScope : objectKeyAfterScope[..space];
    }

    /// <summary>The key of the object's URL, whatever its variant: the key itself when it is not a variant.</summary>
    public static string BaseOf(string objectKey)
    {
        var scopeEnd = objectKey.IndexOf(' ', objectKey.IndexOf(' ') + 1);
        var space = objectKey.IndexOf(' ', scopeEnd + 1);
        return space < 0 ? objectKey : objectKey[..space];
    }

    /// <summary>The request headers a variant's fill sends, as its key lists them.</summary>
    public static IEnumerable<(string Name, string Value)> VariantHeaders(string variant) =>
        variant.Length == 0 ? [] : VariantHeadersOf(variant);

    private static IEnumerable<(string Name, string Value)> VariantHeadersOf(string variant)
    {
        foreach (var line in variant.Split(VariantSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var end = line.IndexOf(VariantNameEnd);
            if (end > 0)
            {
                yield return (line[..end], line[(end + 1)..]);
            }
        }
    }

    public static string Object(string distribution, string tenant, string target) =>
        string.Concat(Scope(distribution, tenant), target);

    public static string Tag(string distribution, string tenant, string header, string tag) =>
        Tag(Scope(distribution, tenant), header, tag);

    /// <summary>A tag of the scope, under a header name (compared without case, so kept in lower case).</summary>
    public static string Tag(string scope, string header, string tag) => string.Concat(scope, header.ToLowerInvariant(), " ", tag);

    /// <summary>The scope of an object key, or of a tag key: its first two parts and the space after them.</summary>
    public static string ScopeOf(string key) => key[..(key.IndexOf(' ', key.IndexOf(' ') + 1) + 1)];

    /// <summary>The parts of a <see cref="Tag(string, string, string)"/> key.</summary>
    public static (string Scope, string Header, string Tag) SplitTag(string tagKey)
    {
        var scope = ScopeOf(tagKey);
        var space = tagKey.IndexOf(' ', scope.Length);
        if (scope.Length == 0 || space < 0)
        {
            throw new FormatException($"'{tagKey}' is not a tag key.");
        }

        return (scope, tagKey[scope.Length..space], tagKey[(space + 1)..]);
    }

    public static string Invalidation(string distribution, string tenant, string id) =>
        string.Concat(Scope(distribution, tenant), id);

    public static (string Distribution, string Tenant, string Target, string Variant) SplitObject(string objectKey)
    {
        var first = objectKey.IndexOf(' ');
        var second = objectKey.IndexOf(' ', first + 1);
        if (first < 0 || second < 0)
        {
            throw new FormatException($"'{objectKey}' is not an object key.");
        }

        var third = objectKey.IndexOf(' ', second + 1);
        return third < 0
            ? (objectKey[..first], objectKey[(first + 1)..second], objectKey[(second + 1)..], "")
            : (objectKey[..first], objectKey[(first + 1)..second], objectKey[(second + 1)..third], objectKey[(third + 1)..]);
    }
}

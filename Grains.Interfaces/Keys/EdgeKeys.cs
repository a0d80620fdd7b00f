namespace OrleansEdge.Grains.Interfaces.Keys;

/// <summary>Builds the string keys of the edge's grains.</summary>
/// <remarks>
/// Parts are joined with a space because none of them can hold one: distribution and tenant ids are
/// validated tokens, a request target never contains a space (it delimits the HTTP request line), a
/// cache tag is ASCII 33–126 and a header name is an RFC 7230 token. So every key splits back
/// unambiguously, and a key prefix ("E1 t /img/") selects exactly the keys under a path prefix.
/// </remarks>
public static class EdgeKeys
{
    /// <summary>The prefix shared by every object key of one distribution tenant.</summary>
    public static string Scope(string distribution, string tenant) => string.Concat(distribution, " ", tenant, " ");

    public static string Object(string scope, string target) => string.Concat(scope, target);

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

    public static (string Distribution, string Tenant, string Target) SplitObject(string objectKey)
    {
        var first = objectKey.IndexOf(' ');
        var second = objectKey.IndexOf(' ', first + 1);
        if (first < 0 || second < 0)
        {
            throw new FormatException($"'{objectKey}' is not an object key.");
        }

        return (objectKey[..first], objectKey[(first + 1)..second], objectKey[(second + 1)..]);
    }
}

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
    /// <summary>Number of key-index shards per distribution tenant. Changing it orphans registered keys.</summary>
    public const int IndexShards = 16;

    /// <summary>The prefix shared by every object key of one distribution tenant.</summary>
    public static string Scope(string distribution, string tenant) => string.Concat(distribution, " ", tenant, " ");

    public static string Object(string scope, string target) => string.Concat(scope, target);

    public static string Object(string distribution, string tenant, string target) =>
        string.Concat(Scope(distribution, tenant), target);

    public static string Tag(string distribution, string tenant, string header, string tag) =>
        string.Concat(Scope(distribution, tenant), header.ToLowerInvariant(), " ", tag);

    public static string IndexShard(string distribution, string tenant, int shard) =>
        string.Concat(Scope(distribution, tenant), shard.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static string IndexShardOf(string objectKey)
    {
        var (distribution, tenant, _) = SplitObject(objectKey);
        return IndexShard(distribution, tenant, ShardOf(objectKey));
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

    /// <summary>FNV-1a over the key: stable across processes, unlike string.GetHashCode.</summary>
    public static int ShardOf(string objectKey)
    {
        var hash = 2166136261u;
        foreach (var c in objectKey)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % IndexShards);
    }
}

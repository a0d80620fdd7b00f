namespace OrleansEdge.Grains.Interfaces.Objects;

/// <summary>An origin response as the edge stores and serves it.</summary>
/// <remarks>Headers exclude hop-by-hop fields, Age and Content-Length; the gateway writes those itself.</remarks>
[GenerateSerializer, Immutable, Alias("edge.cached-response")]
public sealed record CachedResponse
{
    [Id(0)] public required int Status { get; init; }
    [Id(1)] public required HeaderField[] Headers { get; init; }
    [Id(2)] public required byte[] Body { get; init; }

    /// <summary>Normalised (lower-case) cache tags read under the header configured at fetch time.</summary>
    [Id(3)] public required string[] Tags { get; init; }

    /// <summary>When the origin request was sent; invalidations created after it do not touch this copy.</summary>
    [Id(4)] public required DateTimeOffset FetchStarted { get; init; }

    /// <summary>When the response arrived; Age counts from here.</summary>
    [Id(5)] public required DateTimeOffset Received { get; init; }

    /// <summary>Fresh until then; after it the copy must be revalidated with the origin.</summary>
    [Id(6)] public required DateTimeOffset FreshUntil { get; init; }

    /// <summary>The latest moment a stale copy may stand in for a failed origin (RFC 5861 stale-if-error).</summary>
    [Id(7)] public DateTimeOffset StaleIfErrorUntil { get; init; }

    [Id(8)] public string? ETag { get; init; }
    [Id(9)] public DateTimeOffset? LastModified { get; init; }

    /// <summary>The Age the origin (or a cache before it) reported, in seconds.</summary>
    [Id(10)] public int OriginAge { get; init; }

    public bool IsFresh(DateTimeOffset now) => now < FreshUntil;
}

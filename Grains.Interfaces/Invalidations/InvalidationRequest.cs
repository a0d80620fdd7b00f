namespace OrleansEdge.Grains.Interfaces.Invalidations;

/// <summary>An invalidation as a front end (CloudFront API or purge endpoint) hands it to the engine.</summary>
[GenerateSerializer, Immutable, Alias("edge.invalidation-request")]
public sealed record InvalidationRequest
{
    [Id(0)] public required string Distribution { get; init; }

    /// <summary>The tenant, or empty for the distribution's own domains.</summary>
    [Id(1)] public required string Tenant { get; init; }

    [Id(2)] public required string CallerReference { get; init; }

    /// <summary>The items as the caller wrote them, echoed back in records.</summary>
    [Id(3)] public required string[] Paths { get; init; }

    [Id(4)] public required InvalidationItem[] Items { get; init; }

    /// <summary>The distribution's current cache-tag header; null when tags are disabled (tag items then match nothing).</summary>
    [Id(5)] public string? TagHeader { get; init; }

    /// <summary>Mark matching objects stale (revalidate on next request) instead of removing them.</summary>
    [Id(6)] public bool Soft { get; init; }
}

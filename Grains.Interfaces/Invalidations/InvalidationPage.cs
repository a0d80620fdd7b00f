namespace OrleansEdge.Grains.Interfaces.Invalidations;

/// <summary>One page of a distribution tenant's invalidations, newest first.</summary>
[GenerateSerializer, Immutable, Alias("edge.invalidation-page")]
public sealed record InvalidationPage(
    [property: Id(0)] InvalidationSummary[] Items,
    [property: Id(1)] bool IsTruncated,
    [property: Id(2)] string? NextMarker);

[GenerateSerializer, Immutable, Alias("edge.invalidation-summary")]
public sealed record InvalidationSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] DateTimeOffset Created,
    [property: Id(2)] InvalidationStatus Status);

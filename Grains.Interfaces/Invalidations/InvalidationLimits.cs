namespace OrleansEdge.Grains.Interfaces.Invalidations;

/// <summary>How much may be in progress at once per distribution. Defaults are CloudFront's documented quotas.</summary>
[GenerateSerializer, Immutable, Alias("edge.invalidation-limits")]
public sealed record InvalidationLimits
{
    /// <summary>Path and tag items in progress per distribution.</summary>
    [Id(0)] public int MaxPathsInProgress { get; init; } = 3000;

    /// <summary>Wildcard items in progress per distribution, counted apart from paths.</summary>
    [Id(1)] public int MaxWildcardsInProgress { get; init; } = 15;
}

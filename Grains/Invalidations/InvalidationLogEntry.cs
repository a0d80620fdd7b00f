using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Grains.Invalidations;

/// <summary>What the log keeps of each invalidation: enough to list it, deduplicate it and count it against the limits.</summary>
[GenerateSerializer, Alias("edge.invalidation-log-entry")]
internal sealed class InvalidationLogEntry
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Tenant { get; init; }
    [Id(2)] public required string CallerReference { get; init; }

    /// <summary>SHA-256 of the batch, to tell a retried batch from a different one under the same reference.</summary>
    [Id(3)] public required string BatchHash { get; init; }

    [Id(4)] public required DateTimeOffset Created { get; init; }
    [Id(5)] public InvalidationStatus Status { get; set; }
    [Id(6)] public int Paths { get; init; }
    [Id(7)] public int Wildcards { get; init; }
}

[GenerateSerializer, Alias("edge.invalidation-log-state")]
internal sealed class InvalidationLogState
{
    /// <summary>Oldest first.</summary>
    [Id(0)] public List<InvalidationLogEntry> Entries { get; set; } = [];
}

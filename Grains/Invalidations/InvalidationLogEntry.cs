using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Grains.Invalidations;

/// <summary>What the log keeps of each invalidation: enough to list it, deduplicate it and count it against the limits.</summary>
internal sealed class InvalidationLogEntry
{
    public required string Id { get; init; }

    /// <summary>Order of creation in this log; entries are listed newest first by it.</summary>
    public required long Sequence { get; init; }

    public required string Tenant { get; init; }
    public required string CallerReference { get; init; }

    /// <summary>SHA-256 of the batch, to tell a retried batch from a different one under the same reference.</summary>
    public required string BatchHash { get; init; }

    public required DateTimeOffset Created { get; init; }
    public InvalidationStatus Status { get; set; }

    /// <summary>When the last gateway stopped serving what it names; kept for the console's propagation chart.</summary>
    public DateTimeOffset? Completed { get; set; }
    public int Paths { get; init; }
    public int Wildcards { get; init; }
}

using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Grains.Invalidations;

/// <summary>
/// What the log keeps of each invalidation: enough to list it, deduplicate it and count it against the limits, and
/// its status, which only the log holds: the invalidation's own grain keeps the request and runs it, and reads its
/// status from here when it is activated again.
/// </summary>
internal sealed record InvalidationLogEntry
{
    public required string Id { get; init; }

    /// <summary>Order of creation in this log; entries are listed newest first by it.</summary>
    public required long Sequence { get; init; }

    public required string Tenant { get; init; }
    public required string CallerReference { get; init; }

    /// <summary>SHA-256 of the batch, to tell a retried batch from a different one under the same reference.</summary>
    public required string BatchHash { get; init; }

    public required DateTimeOffset Created { get; init; }
    public InvalidationStatus Status { get; init; }

    /// <summary>When the last gateway stopped serving what it names; kept for the console's propagation chart.</summary>
    public DateTimeOffset? Completed { get; init; }

    /// <summary>Objects the run removed or marked stale; known once completed.</summary>
    public int ObjectsInvalidated { get; init; }
    public int Paths { get; init; }
    public int Wildcards { get; init; }
}

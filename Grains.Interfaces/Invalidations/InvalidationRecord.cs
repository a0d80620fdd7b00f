namespace OrleansEdge.Grains.Interfaces.Invalidations;

/// <summary>What the edge remembers of one invalidation.</summary>
[GenerateSerializer, Immutable, Alias("edge.invalidation-record")]
public sealed record InvalidationRecord
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Distribution { get; init; }
    [Id(2)] public required string Tenant { get; init; }
    [Id(3)] public required string CallerReference { get; init; }
    [Id(4)] public required string[] Paths { get; init; }
    [Id(5)] public required InvalidationStatus Status { get; init; }
    [Id(6)] public required DateTimeOffset Created { get; init; }

    /// <summary>When the last matching object stopped being served; null while in progress.</summary>
    [Id(7)] public DateTimeOffset? Completed { get; init; }

    [Id(8)] public int ObjectsInvalidated { get; init; }
    [Id(9)] public bool Soft { get; init; }

    public TimeSpan? PropagationTime => Completed - Created;
}

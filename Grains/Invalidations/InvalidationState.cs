using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Grains.Invalidations;

/// <summary>The durable part of one invalidation: what to do, and how far it got.</summary>
[GenerateSerializer, Alias("edge.invalidation-state")]
internal sealed class InvalidationState
{
    [Id(0)] public InvalidationRequest? Request { get; set; }
    [Id(1)] public InvalidationRecord? Record { get; set; }
}

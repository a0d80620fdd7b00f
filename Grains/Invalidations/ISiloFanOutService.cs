using Orleans.Services;
using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Grains.Invalidations;

/// <summary>
/// Runs on every silo: invalidates a batch of objects that live there, so that a fan-out sends one message
/// per silo and batch rather than one per object across the network.
/// </summary>
[Alias("edge.silo-fan-out")]
internal interface ISiloFanOutService : IGrainService
{
    [Alias("invalidate")]
    Task<FanOutBatchResult> InvalidateAsync(string[] keys, InvalidationStamp stamp, string? tag);
}

/// <summary>What a batch did: how many objects it affected, which keys no longer carry the tag, and which calls failed.</summary>
[GenerateSerializer, Immutable, Alias("edge.fan-out-batch-result")]
internal sealed record FanOutBatchResult(
    [property: Id(0)] int Invalidated,
    [property: Id(1)] string[] NotTagged,
    [property: Id(2)] string[] Failed);

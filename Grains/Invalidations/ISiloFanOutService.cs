using Orleans.Services;
using OrleansEdge.Grains.Interfaces.Gateways;

namespace OrleansEdge.Grains.Invalidations;

/// <summary>Runs on every silo: applies an invalidation to the objects there, and to the fetches in flight there.</summary>
[Alias("edge.silo-fan-out")]
internal interface ISiloFanOutService : IGrainService
{
    /// <summary>Returns how many objects of this silo the notice affected.</summary>
    [Alias("apply")]
    Task<int> ApplyAsync(InvalidationNotice notice);
}

using Orleans.Concurrency;
using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Grains.Interfaces.Keys;

/// <summary>One shard of the object keys a distribution tenant holds, for wildcard invalidations.</summary>
[Alias("edge.key-index")]
public interface IKeyIndexGrain : IGrainWithStringKey
{
    /// <summary>Registers a key for one activation of its object, on <paramref name="silo"/>; the object does this before its first origin fetch.</summary>
    [Alias("add")]
    Task AddAsync(string objectKey, Guid activation, SiloAddress silo);

    /// <summary>Unregisters a key, unless a later activation registered it again.</summary>
    [OneWay, Alias("remove")]
    Task RemoveAsync(string objectKey, Guid activation);

    /// <summary>Invalidates every registered key that starts with <paramref name="keyPrefix"/>.</summary>
    [Alias("invalidate-prefix")]
    Task<int> InvalidatePrefixAsync(string keyPrefix, InvalidationStamp stamp);
}

using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Grains.Interfaces.Objects;

/// <summary>One cached object (key from <see cref="Keys.EdgeKeys.Object(string, string, string)"/>): it holds the copy and fetches it once.</summary>
[Alias("edge.object")]
public interface ICachedObjectGrain : IGrainWithStringKey
{
    /// <summary>Serves the stored copy, or fetches it from the origin, collapsing concurrent misses into one request.</summary>
    [Alias("get")]
    Task<ObjectLookup> GetAsync(OriginProfile origin);

    /// <summary>Applies an invalidation to this object; <paramref name="tag"/> is set when it comes from that tag.</summary>
    [Alias("invalidate")]
    Task<InvalidationEffect> InvalidateAsync(InvalidationStamp stamp, string? tag);

    /// <summary>Drops the copy to make room on this silo; the object leaves its tags and the key index.</summary>
    [Orleans.Concurrency.OneWay, Alias("evict")]
    Task EvictAsync();
}

using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Grains.Interfaces.Tags;

/// <summary>
/// One cache tag of one distribution tenant under one header name (key from <see cref="Keys.EdgeKeys.Tag(string, string, string, string)"/>):
/// it runs the tag's invalidations across the silos, each of which tracks its own members of the tag.
/// </summary>
[Alias("edge.tag")]
public interface ITagGrain : IGrainWithStringKey
{
    /// <summary>Invalidates every member fetched before the stamp, on every silo; returns how many objects were affected.</summary>
    [Alias("invalidate")]
    Task<int> InvalidateAsync(InvalidationStamp stamp, string invalidationId);
}

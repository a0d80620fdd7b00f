using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Grains.Interfaces.Objects;

/// <summary>One cached object (key from <see cref="Keys.EdgeKeys.Object(string, string, string)"/>): it fetches it once and serves the copy its silo stores.</summary>
[Alias("edge.object")]
public interface ICachedObjectGrain : IGrainWithStringKey
{
    /// <summary>
    /// How long a lookup waits on an origin fetch before it answers <see cref="LookupOutcome.Pending"/>. The viewer's
    /// gateway asks again with the ticket, so no call waits on a slow origin and a dead silo is noticed in seconds.
    /// </summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Serves the stored copy, or fetches it from the origin, collapsing concurrent misses into one request.
    /// <paramref name="ticket"/> is default for a new lookup, or the one a <see cref="LookupOutcome.Pending"/> answer gave.
    /// </summary>
    [Alias("get")]
    Task<ObjectLookup> GetAsync(OriginProfile origin, FetchTicket ticket);

    /// <summary>
    /// Applies an invalidation that names this object (by path, prefix or one of its tags) to its fetch in flight; its
    /// silo's store has applied it to the copy already.
    /// </summary>
    [Alias("invalidate")]
    Task<InvalidationEffect> InvalidateAsync(InvalidationStamp stamp);
}

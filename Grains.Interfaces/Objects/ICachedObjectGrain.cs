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
    /// <paramref name="relay"/>: the caller can take a body too large to store as a stream (<see cref="ObjectLookup.Relayed"/>);
    /// a viewer's plain GET can, one with a range or a condition cannot.
    /// </summary>
    [Alias("get")]
    Task<ObjectLookup> GetAsync(OriginProfile origin, FetchTicket ticket, bool relay);

    /// <summary>
    /// The body of a response too large to store, as the origin sends it, for the one viewer it was handed to
    /// (<see cref="RelayedResponse.Relay"/>). Throws <see cref="InvalidOperationException"/> on the first step when that
    /// body is no longer held here (claimed, expired, or the object was activated anew): nothing has been written then,
    /// and the caller asks the origin itself.
    /// </summary>
    [Alias("relay")]
    IAsyncEnumerable<byte[]> RelayAsync(long relay, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies an invalidation that names this object (by path, prefix or one of its tags) to its fetch in flight; its
    /// silo's store has applied it to the copy already.
    /// </summary>
    [Alias("invalidate")]
    Task<InvalidationEffect> InvalidateAsync(InvalidationStamp stamp);
}

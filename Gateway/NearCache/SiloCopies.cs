using OrleansEdge.Grains.Interfaces.Caching;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Gateway.NearCache;

/// <summary>
/// The embedded edge's hits: served from the copies of the silo in this process, not from a second copy of each.
/// </summary>
/// <remarks>
/// What the near-cache guards against cannot happen here. The silo applies every invalidation to these copies before
/// the invalidation completes, under the same lock a hit reads them with, so no lease, notice memory or tag index of
/// the gateway's own is needed; a process paused past any lease pauses its silo with it, and resumes holding what the
/// silo holds. A response the object grain returns is what it stored (or a fetch the grain itself has ruled on for
/// this viewer), so every answer may be served. Holding each object once is also ~300 B less per cached object.
/// </remarks>
internal sealed class SiloCopies(IHeldCopies held) : IViewerCopies
{
    public bool TryGet(ReadOnlySpan<char> key, DateTimeOffset now, out CachedResponse response) => held.TryGetFresh(key, now, out response);

    public bool Admit(string key, string scope, string? tagHeader, CachedResponse response, long lookupStarted) => true;

    public int Count => held.Count;

    public long Bytes => held.Bytes;
}

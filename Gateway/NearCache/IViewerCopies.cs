using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Gateway.NearCache;

/// <summary>
/// The copies a gateway answers hits from without a grain call: its own near-cache in front of a cluster
/// (<see cref="NearCacheCopies"/>), or, in the embedded edge, the copies of the silo in the same process
/// (<see cref="SiloCopies"/>).
/// </summary>
internal interface IViewerCopies
{
    /// <summary>The lookup for hits: a fresh copy that may be served now. No allocation.</summary>
    bool TryGet(ReadOnlySpan<char> key, DateTimeOffset now, out CachedResponse response);

    /// <summary>
    /// Takes a response the cluster returned for a lookup that started at <paramref name="lookupStarted"/> (a
    /// <see cref="TimeProvider.GetTimestamp"/>): keeps it when this side keeps copies, and says whether it may be served.
    /// </summary>
    bool Admit(string key, string scope, string? tagHeader, CachedResponse response, long lookupStarted);

    /// <summary>Copies held.</summary>
    int Count { get; }

    /// <summary>Approximate bytes of the copies held.</summary>
    long Bytes { get; }
}

using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Interfaces.Caching;

/// <summary>
/// The copies a silo holds, as a gateway in the same process (the embedded edge) serves hits from them: one copy per
/// object in the process, kept current by the silo's own handling of every invalidation, so the gateway needs no
/// second copy, index or lease of its own.
/// </summary>
public interface IHeldCopies
{
    /// <summary>A fresh copy held for <paramref name="key"/>; counts as a use of it for eviction. No allocation.</summary>
    bool TryGetFresh(ReadOnlySpan<char> key, DateTimeOffset now, out CachedResponse response);

    /// <summary>Copies held.</summary>
    int Count { get; }

    /// <summary>What the copies held count against the capacity.</summary>
    long Bytes { get; }
}

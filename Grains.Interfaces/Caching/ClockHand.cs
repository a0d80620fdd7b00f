using System.Collections.Concurrent;

namespace OrleansEdge.Grains.Interfaces.Caching;

/// <summary>What the hand found at a key.</summary>
public enum ClockVisit
{
    /// <summary>The key has left the cache since it was queued.</summary>
    Gone,

    /// <summary>The entry was used since the hand last passed: its flag is cleared and it stays.</summary>
    SecondChance,

    /// <summary>The entry was not used since the hand last passed, and the cache let it go.</summary>
    Evicted,
}

/// <summary>A cache bounded by a CLOCK hand: it says whether it is over capacity and what a key's entry does when the hand reaches it.</summary>
public interface IClockCache
{
    bool OverCapacity { get; }

    int Count { get; }

    bool Contains(string key);

    ClockVisit Visit(string key);
}

/// <summary>
/// The hand of a CLOCK eviction (least recently used, approximately: a hit sets a flag, and a flagged entry
/// gets a second chance) over a cache's keys. The cache keeps its entries; this keeps only their order.
/// </summary>
/// <remarks>
/// Keys that leave the cache between sweeps (invalidated, replaced) stay queued until the hand passes them.
/// A cache under its capacity never sweeps, so the queue is compacted instead once it holds more than twice
/// the live keys: however often keys come and go, it stays bounded.
/// </remarks>
public sealed class ClockHand(IClockCache cache)
{
    private const int Slack = 1024;
    private readonly ConcurrentQueue<string> _keys = new();

    // Kept beside the queue: its own Count takes a lock and walks its segments, once per new key that was too dear.
    private int _queued;
    private int _compacting;

    /// <summary>Keys queued, live or not yet passed since they left.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>A key new to the cache.</summary>
    public void Add(string key)
    {
        Enqueue(key);
        if (Queued > 2 * cache.Count + Slack)
        {
            Compact();
        }
    }

    /// <summary>Moves the hand while the cache is over capacity, at most twice round.</summary>
    public void Sweep()
    {
        // Checked first: a cache under its capacity (the common case, on every store) must not pay for counting the
        // queue, which takes a lock and walks its segments once it has more than two.
        if (!cache.OverCapacity)
        {
            return;
        }

        var budget = Queued * 2;
        while (cache.OverCapacity && budget-- > 0 && TryDequeue(out var key))
        {
            if (cache.Visit(key) == ClockVisit.SecondChance)
            {
                Enqueue(key);
            }
        }
    }

    private void Enqueue(string key)
    {
        _keys.Enqueue(key);
        Interlocked.Increment(ref _queued);
    }

    private bool TryDequeue(out string key)
    {
        if (!_keys.TryDequeue(out key!))
        {
            return false;
        }

        Interlocked.Decrement(ref _queued);
        return true;
    }

    /// <summary>Drops queued keys that left the cache, and repeats of live ones, keeping the order of the rest.</summary>
    private void Compact()
    {
        if (Interlocked.Exchange(ref _compacting, 1) == 1)
        {
            return;
        }

        try
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var pass = Queued; pass > 0 && TryDequeue(out var key); pass--)
            {
                if (cache.Contains(key) && seen.Add(key))
                {
                    Enqueue(key);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _compacting, 0);
        }
    }
}

using System.Collections.Concurrent;
using OrleansEdge.Grains.Interfaces.Caching;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Objects;

/// <summary>
/// Keeps the copies one silo holds within a byte capacity, evicting the least recently used first (CLOCK: a
/// flag set on each hit gives an object a second chance). Eviction deactivates the object, which then leaves
/// its silo's index, so memberships never point at objects that are gone.
/// </summary>
internal sealed class SiloCacheBudget : IClockCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly IGrainFactory _grains;
    private readonly long _capacityBytes;
    private readonly ClockHand _clock;
    private long _bytes;

    public SiloCacheBudget(IGrainFactory grains, long capacityBytes)
    {
        _grains = grains;
        _capacityBytes = capacityBytes;
        _clock = new ClockHand(this);
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>An object now holds <paramref name="bytes"/> bytes of copy (-1: none).</summary>
    public void Update(string key, long bytes)
    {
        if (bytes < 0)
        {
            if (_entries.TryRemove(key, out var removed))
            {
                Interlocked.Add(ref _bytes, -removed.Bytes);
            }

            return;
        }

        var entry = new Entry(bytes);
        var previous = _entries.GetValueOrDefault(key);
        _entries[key] = entry;
        Interlocked.Add(ref _bytes, bytes - (previous?.Bytes ?? 0));
        if (previous is null)
        {
            _clock.Add(key);
        }

        _clock.Sweep();
    }

    public void Touch(string key)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            entry.Referenced = 1;
        }
    }

    bool IClockCache.OverCapacity => Interlocked.Read(ref _bytes) > _capacityBytes;

    int IClockCache.Count => _entries.Count;

    bool IClockCache.Contains(string key) => _entries.ContainsKey(key);

    ClockVisit IClockCache.Visit(string key)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return ClockVisit.Gone;
        }

        if (Interlocked.Exchange(ref entry.Referenced, 0) == 1)
        {
            return ClockVisit.SecondChance;
        }

        if (_entries.TryRemove(new KeyValuePair<string, Entry>(key, entry)))
        {
            // Counted out now, not when the grain gets to it, so one burst does not evict twice over.
            Interlocked.Add(ref _bytes, -entry.Bytes);
            _grains.GetGrain<ICachedObjectGrain>(key).EvictAsync().Ignore();
        }

        return ClockVisit.Evicted;
    }

    private sealed class Entry(long bytes)
    {
        public long Bytes { get; } = bytes;

        public int Referenced;
    }
}

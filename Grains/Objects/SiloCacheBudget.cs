using System.Collections.Concurrent;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Objects;

/// <summary>
/// Keeps the copies one silo holds within a byte capacity, evicting the least recently used first (CLOCK: a
/// flag set on each hit gives an object a second chance). Eviction deactivates the object, which then leaves
/// its tags and the key index, so memberships never point at objects that are gone.
/// </summary>
internal sealed class SiloCacheBudget(IGrainFactory grains, long capacityBytes)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _clock = new();
    private long _bytes;

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
            _clock.Enqueue(key);
        }

        if (Interlocked.Read(ref _bytes) > capacityBytes)
        {
            Evict();
        }
    }

    public void Touch(string key)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            entry.Referenced = 1;
        }
    }

    private void Evict()
    {
        var budget = _clock.Count * 2;
        while (Interlocked.Read(ref _bytes) > capacityBytes && budget-- > 0 && _clock.TryDequeue(out var key))
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                continue;
            }

            if (Interlocked.Exchange(ref entry.Referenced, 0) == 1)
            {
                _clock.Enqueue(key);
            }
            else if (_entries.TryRemove(new KeyValuePair<string, Entry>(key, entry)))
            {
                // Counted out now, not when the grain gets to it, so one burst does not evict twice over.
                Interlocked.Add(ref _bytes, -entry.Bytes);
                grains.GetGrain<ICachedObjectGrain>(key).EvictAsync().Ignore();
            }
        }
    }

    private sealed class Entry(long bytes)
    {
        public long Bytes { get; } = bytes;

        public int Referenced;
    }
}

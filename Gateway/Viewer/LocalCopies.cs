using System.Collections.Concurrent;
using OrleansEdge.Grains.Caching;
using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Gateway.Viewer;

/// <summary>
/// The copies this gateway serves without asking the cluster: a hit on one is a dictionary lookup.
/// </summary>
/// <remarks>
/// Safety rests on three rules. Copies are served only while the gateway's lease with the cluster runs, so a
/// gateway cut off from invalidation notices stops serving before any invalidation stops waiting for it. A
/// copy is stored only if its lookup started after the gateway registered, so an invalidation that missed
/// this gateway had already reached every grain. And notices are remembered for a while, so a copy fetched
/// before a notice but stored after it is refused.
/// <para>
/// A tag notice finds its copies through a local index of tag to keys, and a path notice by its key, so
/// applying one costs the copies it drops, not the copies held. Only a wildcard scans.
/// </para>
/// </remarks>
internal sealed class LocalCopies : IClockCache
{
    /// <summary>Longer than any lookup can take (the Orleans response timeout is 30 s).</summary>
    private static readonly TimeSpan NoticeMemory = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, LocalCopy> _copies = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly long _capacityBytes;
    private readonly ClockHand _clock;
    private readonly Lock _noticesLock = new();
    private readonly List<(InvalidationNotice Notice, DateTimeOffset Received)> _notices = [];

    // "{scope} {header} {tag}" (header in lower case) → keys of the copies carrying it. Changed only under _noticesLock.
    private readonly Dictionary<string, HashSet<string>> _keysByTag = new(StringComparer.Ordinal);
    private long _bytes;
    private long _leaseUntilTicks;
    private long _epochStartTicks = long.MaxValue;

    public LocalCopies(TimeProvider time, long capacityBytes)
    {
        _time = time;
        _capacityBytes = capacityBytes;
        _clock = new ClockHand(this);
    }

    public int Count => _copies.Count;

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The lookup for hits: a fresh copy, while the lease runs. No allocation.</summary>
    public bool TryGet(ReadOnlySpan<char> key, DateTimeOffset now, out CachedResponse response)
    {
        if (now.UtcTicks < Volatile.Read(ref _leaseUntilTicks)
            && _copies.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out var copy)
            && copy.Response.IsFresh(now))
        {
            copy.Referenced = 1;
            response = copy.Response;
            return true;
        }

        response = null!;
        return false;
    }

    /// <summary>Keeps a copy the cluster returned for a lookup that started at <paramref name="lookupStarted"/>.</summary>
    public void Store(string key, string scope, string? tagHeader, CachedResponse response, DateTimeOffset lookupStarted)
    {
        var now = _time.GetUtcNow();
        if (!response.IsFresh(now) || lookupStarted.UtcTicks < Volatile.Read(ref _epochStartTicks) || now.UtcTicks >= Volatile.Read(ref _leaseUntilTicks))
        {
            return;
        }

        var copy = new LocalCopy(key, scope, tagHeader, response);
        bool isNew;
        lock (_noticesLock)
        {
            foreach (var (notice, _) in _notices)
            {
                if (Covers(notice, copy))
                {
                    return;
                }
            }

            // Under the same lock as Apply, so a notice is either seen here or finds this copy there.
            isNew = !_copies.TryGetValue(key, out var previous);
            if (previous is not null)
            {
                Remove(previous);
            }

            _copies[key] = copy;
            Interlocked.Add(ref _bytes, copy.Size);
            foreach (var tag in copy.TagIndexKeys)
            {
                if (!_keysByTag.TryGetValue(tag, out var keys))
                {
                    _keysByTag[tag] = keys = new HashSet<string>(StringComparer.Ordinal);
                }

                keys.Add(key);
            }
        }

        if (isNew)
        {
            _clock.Add(key);
        }

        _clock.Sweep();
    }

    /// <summary>Drops every copy the notice covers; returns how many.</summary>
    public int Apply(InvalidationNotice notice)
    {
        var dropped = 0;
        lock (_noticesLock)
        {
            var now = _time.GetUtcNow();
            _notices.RemoveAll(n => now - n.Received > NoticeMemory);
            _notices.Add((notice, now));
            foreach (var item in notice.Items)
            {
                switch (item.Kind)
                {
                    case InvalidationItemKind.Tag when notice.TagHeader is not null:
                        if (_keysByTag.TryGetValue(TagIndexKey(notice.Scope, notice.TagHeader, item.Value), out var tagged))
                        {
                            foreach (var key in tagged.ToArray())
                            {
                                dropped += DropIfCovered(notice, key);
                            }
                        }

                        break;

                    case InvalidationItemKind.Path:
                        dropped += DropIfCovered(notice, notice.Scope + item.Value);
                        break;

                    case InvalidationItemKind.Prefix:
                        // Enumerated in place: Values would copy every entry first.
                        foreach (var (_, copy) in _copies)
                        {
                            if (Covers(notice, copy) && Remove(copy))
                            {
                                dropped++;
                            }
                        }

                        break;
                }
            }
        }

        return dropped;
    }

    /// <summary>The cluster renewed this gateway's lease; <paramref name="registeredAt"/> is when this lease epoch began.</summary>
    public void Renewed(DateTimeOffset until, DateTimeOffset registeredAt)
    {
        if (Volatile.Read(ref _epochStartTicks) == long.MaxValue)
        {
            Volatile.Write(ref _epochStartTicks, registeredAt.UtcTicks);
        }

        Volatile.Write(ref _leaseUntilTicks, until.UtcTicks);
    }

    /// <summary>The lease ran out: nothing held may be served, and a new epoch starts at the next registration.</summary>
    public void Expire()
    {
        Volatile.Write(ref _leaseUntilTicks, 0);
        Volatile.Write(ref _epochStartTicks, long.MaxValue);
        lock (_noticesLock)
        {
            _copies.Clear();
            _keysByTag.Clear();
            Interlocked.Exchange(ref _bytes, 0);
        }
    }

    public bool LeaseRuns(DateTimeOffset now) => now.UtcTicks < Volatile.Read(ref _leaseUntilTicks);

    bool IClockCache.OverCapacity => Interlocked.Read(ref _bytes) > _capacityBytes;

    bool IClockCache.Contains(string key) => _copies.ContainsKey(key);

    ClockVisit IClockCache.Visit(string key)
    {
        if (!_copies.TryGetValue(key, out var copy))
        {
            return ClockVisit.Gone;
        }

        if (Interlocked.Exchange(ref copy.Referenced, 0) == 1)
        {
            return ClockVisit.SecondChance;
        }

        lock (_noticesLock)
        {
            Remove(copy);
        }

        return ClockVisit.Evicted;
    }

    private int DropIfCovered(InvalidationNotice notice, string key) =>
        _copies.TryGetValue(key, out var copy) && Covers(notice, copy) && Remove(copy) ? 1 : 0;

    /// <summary>Removes this copy (not a newer one under the same key) and its tag index entries. Called under _noticesLock.</summary>
    private bool Remove(LocalCopy copy)
    {
        if (!_copies.TryRemove(new KeyValuePair<string, LocalCopy>(copy.Key, copy)))
        {
            return false;
        }

        Interlocked.Add(ref _bytes, -copy.Size);
        foreach (var tag in copy.TagIndexKeys)
        {
            if (_keysByTag.TryGetValue(tag, out var keys) && keys.Remove(copy.Key) && keys.Count == 0)
            {
                _keysByTag.Remove(tag);
            }
        }

        return true;
    }

    private static string TagIndexKey(string scope, string header, string tag) => $"{scope} {header.ToLowerInvariant()} {tag}";

    private static bool Covers(InvalidationNotice notice, LocalCopy copy)
    {
        if (copy.Scope != notice.Scope || !notice.Stamp.Covers(copy.Response.FetchStarted))
        {
            return false;
        }

        foreach (var item in notice.Items)
        {
            var matches = item.Kind switch
            {
                InvalidationItemKind.Tag => notice.TagHeader is not null
                    && string.Equals(copy.TagHeader, notice.TagHeader, StringComparison.OrdinalIgnoreCase)
                    && copy.Response.HasTag(item.Value),
                InvalidationItemKind.Path => copy.Key.Length == copy.Scope.Length + item.Value.Length
                    && copy.Key.AsSpan(copy.Scope.Length).SequenceEqual(item.Value),
                _ => copy.Key.AsSpan(copy.Scope.Length).StartsWith(item.Value, StringComparison.Ordinal),
            };
            if (matches)
            {
                return true;
            }
        }

        return false;
    }

    private sealed class LocalCopy(string key, string scope, string? tagHeader, CachedResponse response)
    {
        public string Key { get; } = key;
        public string Scope { get; } = scope;
        public string? TagHeader { get; } = tagHeader;
        public CachedResponse Response { get; } = response;

        /// <summary>The tag index entries this copy appears under; none when its distribution reads no tags.</summary>
        public string[] TagIndexKeys { get; } = tagHeader is null ? [] : Array.ConvertAll(response.Tags, tag => TagIndexKey(scope, tagHeader, tag));

        /// <summary>Body plus a rough allowance for headers and bookkeeping.</summary>
        public long Size { get; } = response.Body.Length + 512 + key.Length * 2;

        public int Referenced;
    }
}

using System.Collections.Concurrent;
using OrleansEdge.Grains.Interfaces.Caching;
using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Interfaces.Keys;

namespace OrleansEdge.Gateway.NearCache;

/// <summary>
/// The copies this gateway serves without asking the cluster: a hit on one is a dictionary lookup.
/// </summary>
/// <remarks>
/// Safety rests on three rules. Copies are served only while the gateway's lease with the cluster runs, checked
/// on every hit against the monotonic clock, so a gateway cut off from invalidation notices, or stalled (a long
/// GC pause, a frozen VM), stops serving before any invalidation stops waiting for it; a lease that ran out, or
/// that the registry says it had given up on, ends the epoch and every copy of it. A copy is stored only if its
/// lookup started in the current epoch, so an invalidation that missed this gateway had already reached every
/// grain. And notices are remembered for a while, so a copy fetched before a notice but returned after it is
/// refused, and one returned for a lookup that began after the notice is not even served.
/// <para>
/// A tag notice finds its copies through a local index of tag to keys, and a path notice by its key, so
/// applying one costs the copies it drops, not the copies held. Only a wildcard scans.
/// </para>
/// </remarks>
internal sealed class NearCacheCopies : IClockCache, IViewerCopies
{
    /// <summary>
    /// How long notices are remembered. Longer than the run of any invalidation that is not held up by a failure;
    /// a lookup that took longer than this is never stored (the grain marks a response invalidated during its
    /// fetch stale anyway, so this only bounds what the gateway must remember).
    /// </summary>
    private static readonly TimeSpan NoticeMemory = TimeSpan.FromMinutes(2);

    /// <summary>Taken off the lease as the gateway sees it, for the time a renewal spends in flight and clock rates that differ.</summary>
    private static readonly TimeSpan LeaseSafetyMargin = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<string, LocalCopy> _copies = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly long _capacityBytes;
    private readonly ClockHand _clock;
    private readonly Lock _noticesLock = new();
    private readonly NoticeIndex _notices;

    // Which copies carry each tag. Changed only under _noticesLock.
    private readonly TagMembers _members = new();
    private readonly VariantIndex _variants = new();
    private long _bytes;
    private int _count;
    // Monotonic timestamps (TimeProvider.GetTimestamp): a wall clock stepped back by NTP must not lengthen a lease.
    private long _leaseUntil;
    private long _epochStart = long.MaxValue;

    public NearCacheCopies(TimeProvider time, long capacityBytes)
    {
        _time = time;
        _capacityBytes = capacityBytes;
        _clock = new ClockHand(this);
        _notices = new NoticeIndex(time, NoticeMemory);
    }

    /// <summary>Copies held; counted beside the dictionary, whose own Count takes every one of its locks.</summary>
    public int Count => Volatile.Read(ref _count);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The lookup for hits: a fresh copy, while the lease runs on the monotonic clock read now. No allocation.</summary>
    public bool TryGet(ReadOnlySpan<char> key, DateTimeOffset now, out CachedResponse response)
    {
        if (_time.GetTimestamp() < Volatile.Read(ref _leaseUntil)
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

    /// <summary>
    /// Takes a response the cluster returned for a lookup that started at <paramref name="lookupStarted"/> (a
    /// <see cref="TimeProvider.GetTimestamp"/>): keeps it when it may be served from here, and says whether it may
    /// be served at all. A response covered by a notice that arrived before the lookup began is refused: that
    /// invalidation may have completed before the viewer asked (a silo that was stalled past its death can still
    /// answer with an old copy), and the viewer must get a response fetched after it.
    /// </summary>
    public bool Admit(string key, string scope, string? tagHeader, CachedResponse response, long lookupStarted)
    {
        // Kept with the pool's strings: arrived from a silo, every header name, value and tag is a string of its own.
        var copy = new LocalCopy(key, scope, tagHeader, StringPool.Shared.Intern(response));
        var now = _time.GetTimestamp();
        bool isNew;
        lock (_noticesLock)
        {
            var timing = _notices.Covering(key, scope, tagHeader, response.Tags, response.FetchStarted, lookupStarted);
            if (timing == NoticeTiming.HeardBefore)
            {
                return false;
            }

            var covered = timing == NoticeTiming.HeardAfter;

            // Under the same lock as Apply and Renewed, so a notice is either seen here or finds this copy there,
            // and an epoch that ended takes this copy with it.
            if (covered || !response.IsFresh(_time.GetUtcNow()) || lookupStarted < _epochStart || now >= _leaseUntil
                || _time.GetElapsedTime(lookupStarted, now) > NoticeMemory)
            {
                return true;
            }

            isNew = !_copies.TryGetValue(key, out var previous);
            if (previous is not null)
            {
                Remove(previous);
            }

            _copies[key] = copy;
            _count++;
            _variants.Add(key);
            Interlocked.Add(ref _bytes, copy.Size);
            if (copy.TagHeader is { } header)
            {
                foreach (var tag in response.Tags)
                {
                    _members.Add(scope, header, tag, key);
                }
            }
        }

        if (isNew)
        {
            _clock.Add(key);
        }

        _clock.Sweep();
        return true;
    }

    /// <summary>Drops every copy the notice covers; returns how many.</summary>
    public int Apply(InvalidationNotice notice)
    {
        var dropped = 0;
        lock (_noticesLock)
        {
            var now = _time.GetTimestamp();
            _notices.Add(notice, now);
            foreach (var item in notice.Items)
            {
                switch (item.Kind)
                {
                    case InvalidationItemKind.Tag when notice.TagHeader is not null:
                        foreach (var key in _members.KeysOf(notice.Scope, notice.TagHeader, item.Value))
                        {
                            dropped += DropIfCovered(notice, key);
                        }

                        break;

                    case InvalidationItemKind.Path:
                        // Listed first: dropping a variant changes the index.
                        foreach (var key in _variants.KeysOf(notice.Scope + item.Value).ToList())
                        {
                            dropped += DropIfCovered(notice, key);
                        }

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

    /// <summary>
    /// The registry renewed this gateway's lease with a request sent at <paramref name="sent"/> (a timestamp).
    /// <paramref name="continued"/> says whether the registry still counted the previous lease as live. If it did
    /// not, or if that lease had already run out here before the request left (the process was stalled, or renewals
    /// failed), invalidations may have completed without this gateway: every copy goes, and a new epoch begins.
    /// </summary>
    /// <returns>Whether a new epoch began.</returns>
    public bool Renewed(long sent, bool continued)
    {
        lock (_noticesLock)
        {
            var lapsed = !continued || sent >= _leaseUntil || _epochStart == long.MaxValue;
            if (lapsed)
            {
                DropAll();
                _epochStart = sent;
            }

            var lease = IGatewayRegistryGrain.LeaseDuration - LeaseSafetyMargin;
            Volatile.Write(ref _leaseUntil, sent + (long)(lease.TotalSeconds * _time.TimestampFrequency));
            return lapsed;
        }
    }

    /// <summary>The lease ran out: nothing held may be served, and a new epoch starts at the next registration.</summary>
    public void Expire()
    {
        lock (_noticesLock)
        {
            Volatile.Write(ref _leaseUntil, 0);
            _epochStart = long.MaxValue;
            DropAll();
        }
    }

    public bool LeaseRuns() => _time.GetTimestamp() < Volatile.Read(ref _leaseUntil);

    private void DropAll()
    {
        _copies.Clear();
        _count = 0;
        _members.Clear();
        _variants.Clear();
        Interlocked.Exchange(ref _bytes, 0);
    }

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

        _count--;
        Interlocked.Add(ref _bytes, -copy.Size);
        _variants.Remove(copy.Key);
        if (copy.TagHeader is { } header)
        {
            foreach (var tag in copy.Response.Tags)
            {
                _members.Remove(copy.Scope, header, tag, copy.Key);
            }
        }

        return true;
    }

    private static bool Covers(InvalidationNotice notice, LocalCopy copy) =>
        InvalidationMatching.Covers(notice, copy.Key, copy.TagHeader, copy.Response.Tags, copy.Response.FetchStarted);

    private sealed class LocalCopy(string key, string scope, string? tagHeader, CachedResponse response)
    {
        public string Key { get; } = key;
        public string Scope { get; } = scope;
        public string? TagHeader { get; } = tagHeader;
        public CachedResponse Response { get; } = response;

        /// <summary>Body plus a rough allowance for headers and bookkeeping.</summary>
        public long Size { get; } = response.Body.Length + 512 + key.Length * 2;

        public int Referenced;
    }
}

using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Interfaces.Caching;
using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Objects;

/// <summary>
/// The copies this silo holds, by key and by tag, within its byte capacity, and the invalidations it has heard of
/// lately: where a tag's members on this silo are tracked, beside the members themselves.
/// </summary>
/// <remarks>
/// A copy lives here, not in its object grain: the grain is active only while it fetches (collapsing the viewers
/// that wait), and a lookup that finds a fresh copy here is answered from it by the silo's door
/// (<see cref="ObjectHomeService"/>), without an activation. An Orleans activation costs about 2 KB, twice a 1 KiB
/// object, so a cached object is now this entry and its copy.
/// Objects are placed by key (<see cref="ObjectPlacement"/>), so the next activation of a key finds its copy here.
/// <para>
/// Kept beside the copies rather than in a grain per tag because an object and its memberships live and die
/// together: a silo's death takes both, so nothing needs to outlive it, and a miss records its tags with a
/// dictionary write instead of a grain call and a Redis write per tag. A tag invalidation reaches every silo, and
/// each applies it here, to its own copies, without a grain call.
/// </para>
/// <para>
/// One lock orders <see cref="Settle"/> against <see cref="Apply"/>: a notice is either remembered before a fetch
/// settles (and the fetch sees it) or applied after (and finds the copy under its new tags). That is what lets a
/// response fetched before an invalidation, but returned after it, never be stored as fresh.
/// </para>
/// </remarks>
internal sealed class SiloObjectStore : IClockCache, IHeldCopies, IDisposable
{
    /// <summary>Longer than any fetch can last: a fetch in flight when a notice arrived still finds it when it settles.</summary>
    public static readonly TimeSpan NoticeMemory = 2 * OriginProfile.MaxResponseTimeout;

    /// <summary>What a copy counts against the capacity beyond its body: its headers, this entry, its index entries.</summary>
    public const int CopyOverheadBytes = 512;

    private readonly TimeProvider _time;
    private readonly GrainMetrics _metrics;
    private readonly long _capacityBytes;
    private readonly TimeSpan _idleLifetime;
    private readonly ClockHand _clock;
    private readonly ITimer _idleSweep;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _objects = new(StringComparer.Ordinal);

    // The same dictionary looked up by a key on the stack (a viewer's, in the embedded edge), without making a string.
    private readonly Dictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _objectsBySpan;
    private readonly TagMembers _members = new();
    private readonly VariantIndex _variants = new();

    // Oldest first; those before _firstKept are forgotten, and dropped from the list in bulk.
    private readonly List<(InvalidationNotice Notice, long Received)> _notices = [];
    private int _firstKept;
    private int _copies;
    private long _bytes;

    public SiloObjectStore(TimeProvider time, GrainMetrics metrics, long capacityBytes, TimeSpan idleLifetime)
    {
        _time = time;
        _metrics = metrics;
        _capacityBytes = capacityBytes;
        _idleLifetime = idleLifetime;
        _clock = new ClockHand(this);
        _objectsBySpan = _objects.GetAlternateLookup<ReadOnlySpan<char>>();
        var sweepEvery = TimeSpan.FromTicks(Math.Clamp(idleLifetime.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        _idleSweep = time.CreateTimer(_ => DropIdle(), null, sweepEvery, sweepEvery);
    }

    /// <summary>Copies held.</summary>
    public int Count => Volatile.Read(ref _copies);

    /// <summary>What the copies held count against the capacity.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public void Dispose() => _idleSweep.Dispose();

    /// <summary>An activation of the object began on this silo: its fetches may settle here.</summary>
    public void Enter(string key, object activation)
    {
        lock (_lock)
        {
            if (!_objects.TryGetValue(key, out var entry))
            {
                _objects[key] = entry = new Entry();
                _variants.Add(key);
            }

            entry.Activation = activation;
        }
    }

    /// <summary>The activation ended; its copy, if it left one, stays.</summary>
    public void Leave(string key, object activation)
    {
        lock (_lock)
        {
            if (_objects.TryGetValue(key, out var entry) && entry.Activation == activation)
            {
                entry.Activation = null;
                RemoveIfEmpty(key, entry, _time.GetTimestamp());
            }
        }
    }

    /// <summary>The copy held for <paramref name="key"/> (fresh or not), and whether viewers are sent to the origin for it (hit-for-pass).</summary>
    public StoredObject Find(string key)
    {
        lock (_lock)
        {
            if (!_objects.TryGetValue(key, out var entry))
            {
                return default;
            }

            var now = _time.GetTimestamp();
            if (entry.Copy is not null)
            {
                entry.Referenced = 1;
                entry.LastUsed = now;
            }

            return new StoredObject(entry.Copy, entry.PassUntil > now);
        }
    }

    public bool TryGetFresh(ReadOnlySpan<char> key, DateTimeOffset now, out CachedResponse response)
    {
        lock (_lock)
        {
            if (_objectsBySpan.TryGetValue(key, out var entry) && entry.Copy is { } copy && copy.IsFresh(now))
            {
                entry.Referenced = 1;
                entry.LastUsed = _time.GetTimestamp();
                response = copy;
                return true;
            }
        }

        response = null!;
        return false;
    }

    /// <summary>Viewers go straight to the origin for the object for <paramref name="duration"/>: its response may not be shared.</summary>
    public void Pass(string key, TimeSpan duration)
    {
        lock (_lock)
        {
            if (_objects.TryGetValue(key, out var entry))
            {
                entry.PassUntil = _time.GetTimestamp() + (long)(duration.TotalSeconds * _time.TimestampFrequency);
            }
        }
    }

    /// <summary>The origin no longer lets the copy be stored (a revalidation said so).</summary>
    public void Drop(string key)
    {
        lock (_lock)
        {
            if (_objects.TryGetValue(key, out var entry) && entry.Copy is not null)
            {
                RemoveCopy(key, entry);
            }
        }
    }

    /// <summary>
    /// Stores <paramref name="response"/> (read under <paramref name="tagHeader"/>), fetched by
    /// <paramref name="activation"/> from the monotonic <paramref name="startedTimestamp"/>, as what the
    /// invalidations heard of since then make of it: fresh, stale (soft-purged), or not at all.
    /// </summary>
    public CopyVerdict Settle(string key, object activation, string? tagHeader, CachedResponse response, long startedTimestamp)
    {
        var queued = false;
        CopyVerdict verdict;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            verdict = VerdictSince(key, tagHeader, response, startedTimestamp, now);
            if (!_objects.TryGetValue(key, out var entry) || entry.Activation != activation)
            {
                // Not known here as this activation's, so a notice might not find it: it must not be stored.
                return CopyVerdict.InvalidatedHard;
            }

            var held = entry.Copy is not null;
            if (held)
            {
                RemoveCopy(key, entry);
            }

            if (verdict != CopyVerdict.InvalidatedHard)
            {
                queued = !held;
                StoreCopy(key, entry, tagHeader, verdict == CopyVerdict.Current ? response : response with { FreshUntil = DateTimeOffset.MinValue }, now);
            }
        }

        if (queued)
        {
            _clock.Add(key);
        }

        _clock.Sweep();

        return verdict;
    }

    /// <summary>
    /// Remembers a notice, applies it to the copies here that it names, and says how many it invalidated and which
    /// of the objects it names are active here (their fetches in flight must hear of it too).
    /// </summary>
    public NoticeEffect Apply(InvalidationNotice notice)
    {
        var named = new List<string>();
        var effect = new NoticeEffect();
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            Forget(now);
            _notices.Add((notice, now));
            foreach (var item in notice.Items)
            {
                switch (item.Kind)
                {
                    case InvalidationItemKind.Tag when notice.TagHeader is not null:
                        named.AddRange(_members.KeysOf(notice.Scope, notice.TagHeader, item.Value));
                        break;

                    case InvalidationItemKind.Path:
                        foreach (var key in _variants.KeysOf(EdgeKeys.Object(notice.Scope, item.Value)))
                        {
                            if (_objects.ContainsKey(key))
                            {
                                named.Add(key);
                            }
                        }

                        break;

                    case InvalidationItemKind.Prefix:
                        var prefix = EdgeKeys.Object(notice.Scope, item.Value);
                        foreach (var (each, _) in _objects)
                        {
                            if (each.StartsWith(prefix, StringComparison.Ordinal))
                            {
                                named.Add(each);
                            }
                        }

                        break;
                }
            }

            foreach (var key in notice.Items.Length > 1 ? named.Distinct(StringComparer.Ordinal) : named)
            {
                var entry = _objects[key];
                var invalidated = false;
                if (entry.Copy is { } copy && notice.Stamp.Covers(copy.FetchStarted))
                {
                    invalidated = true;
                    if (notice.Stamp.Soft)
                    {
                        entry.Copy = copy with { FreshUntil = DateTimeOffset.MinValue };
                    }
                    else
                    {
                        RemoveCopy(key, entry);
                    }
                }

                // Whatever made the last response unshareable may be what was just fixed.
                entry.PassUntil = 0;
                if (entry.Activation is not null)
                {
                    effect.Active.Add((key, invalidated));
                }
                else
                {
                    effect.Invalidated += invalidated ? 1 : 0;
                    RemoveIfEmpty(key, entry, now);
                }
            }
        }

        return effect;
    }

    /// <summary>What the notices heard since the fetch began make of its response.</summary>
    private CopyVerdict VerdictSince(string key, string? tagHeader, CachedResponse response, long startedTimestamp, long now)
    {
        Forget(now);

        // Notices older than the memory are gone: a fetch that outlasted it cannot know what it missed.
        var verdict = _time.GetElapsedTime(startedTimestamp, now) >= NoticeMemory ? CopyVerdict.InvalidatedHard : CopyVerdict.Current;

        // Newest first, down to the first notice heard before the fetch began: that invalidation was created before
        // the request left, so what the origin sent is newer than it. A purge storm costs a miss the notices heard
        // during its own fetch, not all of the last ten minutes.
        for (var i = _notices.Count - 1; i >= _firstKept; i--)
        {
            var (notice, received) = _notices[i];
            if (received < startedTimestamp)
            {
                break;
            }

            if (InvalidationMatching.Covers(notice, key, tagHeader, response.Tags, response.FetchStarted))
            {
                verdict = Max(verdict, notice.Stamp.Soft ? CopyVerdict.InvalidatedSoft : CopyVerdict.InvalidatedHard);
            }
        }

        return verdict;
    }

    private void Forget(long now)
    {
        while (_firstKept < _notices.Count && _time.GetElapsedTime(_notices[_firstKept].Received, now) > NoticeMemory)
        {
            _firstKept++;
        }

        if (_firstKept > 256 && _firstKept * 2 > _notices.Count)
        {
            _notices.RemoveRange(0, _firstKept);
            _firstKept = 0;
        }
    }

    private void StoreCopy(string key, Entry entry, string? tagHeader, CachedResponse copy, long now)
    {
        entry.Copy = copy;
        entry.TagHeader = copy.Tags.Length > 0 ? tagHeader : null;
        entry.LastUsed = now;
        entry.PassUntil = 0;
        Index(key, entry);
        _copies++;
        Interlocked.Add(ref _bytes, copy.Body.Length + CopyOverheadBytes);
        _metrics.RecordCopyChange(-1, copy.Body.Length);
    }

    private void RemoveCopy(string key, Entry entry)
    {
        var copy = entry.Copy!;
        Unindex(key, entry);
        entry.Copy = null;
        entry.Referenced = 0;
        _copies--;
        Interlocked.Add(ref _bytes, -(copy.Body.Length + CopyOverheadBytes));
        _metrics.RecordCopyChange(copy.Body.Length, -1);
    }

    /// <summary>An entry with no copy, no activation and no pass to remember is forgotten.</summary>
    private void RemoveIfEmpty(string key, Entry entry, long now)
    {
        if (entry.Copy is null && entry.Activation is null && entry.PassUntil <= now)
        {
            _objects.Remove(key);
            _variants.Remove(key);
        }
    }

    /// <summary>Drops copies nobody asked this silo for within the idle lifetime, and entries left with nothing.</summary>
    private void DropIdle()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            foreach (var (key, entry) in _objects)
            {
                if (entry.Copy is not null && _time.GetElapsedTime(entry.LastUsed, now) > _idleLifetime)
                {
                    RemoveCopy(key, entry);
                    _metrics.RecordEviction(GrainMetrics.EvictionReasons.Idle);
                }

                RemoveIfEmpty(key, entry, now);
            }
        }
    }

    bool IClockCache.OverCapacity => Interlocked.Read(ref _bytes) > _capacityBytes;

    int IClockCache.Count => Count;

    bool IClockCache.Contains(string key)
    {
        lock (_lock)
        {
            return _objects.TryGetValue(key, out var entry) && entry.Copy is not null;
        }
    }

    ClockVisit IClockCache.Visit(string key)
    {
        lock (_lock)
        {
            if (!_objects.TryGetValue(key, out var entry) || entry.Copy is null)
            {
                return ClockVisit.Gone;
            }

            if (entry.Referenced == 1)
            {
                entry.Referenced = 0;
                return ClockVisit.SecondChance;
            }

            RemoveCopy(key, entry);
            RemoveIfEmpty(key, entry, _time.GetTimestamp());
            _metrics.RecordEviction(GrainMetrics.EvictionReasons.Capacity);
            return ClockVisit.Evicted;
        }
    }

    private void Index(string key, Entry entry)
    {
        if (entry.TagHeader is not { } header)
        {
            return;
        }

        var scope = EdgeKeys.ScopeOf(key);
        var tags = _members.Tags;
        foreach (var tag in entry.Copy!.Tags)
        {
            if (_members.Add(scope, header, tag, key))
            {
                _metrics.RecordMemberships(1);
            }
        }

        _metrics.RecordTagsTracked(_members.Tags - tags);
    }

    private void Unindex(string key, Entry entry)
    {
        if (entry.TagHeader is not { } header)
        {
            return;
        }

        var scope = EdgeKeys.ScopeOf(key);
        var tags = _members.Tags;
        foreach (var tag in entry.Copy!.Tags)
        {
            if (_members.Remove(scope, header, tag, key))
            {
                _metrics.RecordMemberships(-1);
            }
        }

        _metrics.RecordTagsTracked(_members.Tags - tags);
        entry.TagHeader = null;
    }

    private static CopyVerdict Max(CopyVerdict a, CopyVerdict b) => a > b ? a : b;

    /// <summary>One object on this silo: its copy (indexed under its tags), its activation while it has one, its pass memory.</summary>
    private sealed class Entry
    {
        public CachedResponse? Copy;

        /// <summary>The header the copy's tags were read under; null when it has none indexed.</summary>
        public string? TagHeader;

        public object? Activation;

        /// <summary>Monotonic timestamps: the last lookup that found the copy, and the end of a hit-for-pass (0: none).</summary>
        public long LastUsed;

        public long PassUntil;

        /// <summary>The CLOCK flag: used since the hand last passed.</summary>
        public int Referenced;
    }
}

/// <summary>What a silo holds for a key: its copy, if any, and whether viewers are being sent to the origin for it.</summary>
internal readonly record struct StoredObject(CachedResponse? Copy, bool Passing);

/// <summary>What applying a notice on a silo did: copies invalidated, and the objects named that are active there.</summary>
internal sealed class NoticeEffect
{
    /// <summary>Copies of inactive objects invalidated.</summary>
    public int Invalidated;

    /// <summary>Active objects named, and whether their copy was invalidated here already.</summary>
    public List<(string Key, bool CopyInvalidated)> Active { get; } = [];
}

/// <summary>What the invalidations a silo has heard of make of a response fetched from a given moment.</summary>
internal enum CopyVerdict
{
    /// <summary>None covers it: it may be stored as fresh.</summary>
    Current,

    /// <summary>Soft-purged since: store it stale, so the next request revalidates.</summary>
    InvalidatedSoft,

    /// <summary>Invalidated since: do not store it.</summary>
    InvalidatedHard,
}

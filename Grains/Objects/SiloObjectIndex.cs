using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Objects;

/// <summary>
/// The objects this silo hosts, by key and by tag, and the invalidations it has heard of lately: where a tag's
/// members on this silo are tracked, beside the members themselves.
/// </summary>
/// <remarks>
/// Kept here rather than in a grain per tag because an object and its memberships live and die together: a silo's
/// death takes both, so nothing needs to outlive it, and a miss records its tags with a dictionary write instead of
/// a grain call and a Redis write per tag. A tag invalidation reaches every silo, and each finds its members here.
/// <para>
/// One lock orders <see cref="Settle"/> against <see cref="Apply"/>: a notice is either remembered before a fetch
/// settles (and the fetch sees it) or applied after (and finds the object under its new tags). That is what lets a
/// response fetched before an invalidation, but returned after it, never be stored as fresh.
/// </para>
/// </remarks>
internal sealed class SiloObjectIndex(TimeProvider time, GrainMetrics metrics)
{
    /// <summary>Longer than any fetch can last: a fetch in flight when a notice arrived still finds it when it settles.</summary>
    public static readonly TimeSpan NoticeMemory = 2 * OriginProfile.MaxResponseTimeout;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _objects = new(StringComparer.Ordinal);

    private readonly TagMembers _members = new();
    // Oldest first; those before _firstKept are forgotten, and dropped from the list in bulk.
    private readonly List<(InvalidationNotice Notice, long Received)> _notices = [];
    private int _firstKept;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _objects.Count;
            }
        }
    }

    /// <summary>An activation of the object began on this silo.</summary>
    public void Enter(string key, object activation)
    {
        lock (_lock)
        {
            if (_objects.Remove(key, out var previous))
            {
                Unindex(key, previous);
            }

            _objects[key] = new Entry(activation);
        }
    }

    /// <summary>The activation ended: its tags no longer name anything here.</summary>
    public void Leave(string key, object activation)
    {
        lock (_lock)
        {
            if (_objects.TryGetValue(key, out var entry) && entry.Activation == activation)
            {
                _objects.Remove(key);
                Unindex(key, entry);
            }
        }
    }

    /// <summary>
    /// Records the tags of a response whose fetch started at <paramref name="fetchStarted"/> (the monotonic
    /// <paramref name="startedTimestamp"/>), and says what the invalidations heard of since make of it.
    /// </summary>
    public CopyVerdict Settle(string key, object activation, string? tagHeader, string[] tags, DateTimeOffset fetchStarted, long startedTimestamp)
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            Forget(now);

            // Notices older than the memory are gone: a fetch that outlasted it cannot know what it missed.
            var verdict = time.GetElapsedTime(startedTimestamp, now) >= NoticeMemory ? CopyVerdict.InvalidatedHard : CopyVerdict.Current;

            // Newest first, down to the first notice heard before the fetch began: that invalidation was created
            // before the request left, so what the origin sent is newer than it. A purge storm costs a miss the
            // notices heard during its own fetch, not all of the last ten minutes.
            for (var i = _notices.Count - 1; i >= _firstKept; i--)
            {
                var (notice, received) = _notices[i];
                if (received < startedTimestamp)
                {
                    break;
                }

                if (InvalidationMatching.Covers(notice, key, tagHeader, tags, fetchStarted))
                {
                    verdict = Max(verdict, notice.Stamp.Soft ? CopyVerdict.InvalidatedSoft : CopyVerdict.InvalidatedHard);
                }
            }

            if (!_objects.TryGetValue(key, out var entry) || entry.Activation != activation)
            {
                // Not indexed here, so no notice could find it: it must not be stored.
                return CopyVerdict.InvalidatedHard;
            }

            Unindex(key, entry);
            entry.TagHeader = tagHeader;
            entry.Tags = tags;
            Index(key, entry);
            return verdict;
        }
    }

    /// <summary>Remembers a notice and returns the keys of the objects here that it names.</summary>
    public List<string> Apply(InvalidationNotice notice)
    {
        var named = new List<string>();
        lock (_lock)
        {
            var now = time.GetTimestamp();
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
                        var key = EdgeKeys.Object(notice.Scope, item.Value);
                        if (_objects.ContainsKey(key))
                        {
                            named.Add(key);
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
        }

        return notice.Items.Length > 1 ? [.. named.Distinct(StringComparer.Ordinal)] : named;
    }

    private void Forget(long now)
    {
        while (_firstKept < _notices.Count && time.GetElapsedTime(_notices[_firstKept].Received, now) > NoticeMemory)
        {
            _firstKept++;
        }

        if (_firstKept > 256 && _firstKept * 2 > _notices.Count)
        {
            _notices.RemoveRange(0, _firstKept);
            _firstKept = 0;
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
        foreach (var tag in entry.Tags)
        {
            if (_members.Add(scope, header, tag, key))
            {
                metrics.RecordMemberships(1);
            }
        }

        metrics.RecordTagsTracked(_members.Tags - tags);
    }

    private void Unindex(string key, Entry entry)
    {
        if (entry.TagHeader is not { } header)
        {
            return;
        }

        var scope = EdgeKeys.ScopeOf(key);
        var tags = _members.Tags;
        foreach (var tag in entry.Tags)
        {
            if (_members.Remove(scope, header, tag, key))
            {
                metrics.RecordMemberships(-1);
            }
        }

        metrics.RecordTagsTracked(_members.Tags - tags);
        entry.TagHeader = null;
        entry.Tags = [];
    }

    private static CopyVerdict Max(CopyVerdict a, CopyVerdict b) => a > b ? a : b;

    /// <summary>One object activation here, with the tags of its last settled response and the header they were read under.</summary>
    private sealed class Entry(object activation)
    {
        public object Activation { get; } = activation;
        public string? TagHeader { get; set; }
        public string[] Tags { get; set; } = [];
    }
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

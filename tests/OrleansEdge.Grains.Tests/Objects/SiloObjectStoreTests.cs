using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Interfaces.Caching;
using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Objects;

namespace OrleansEdge.Grains.Tests.Objects;

/// <summary>The silo's store of the copies it holds: the in-flight verdict, what a notice reaches, capacity, idleness.</summary>
public sealed class SiloObjectStoreTests : IDisposable
{
    private const string Header = "x-amz-meta-cache-tag";
    private static readonly string Scope = EdgeKeys.Scope("E1", "");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private static readonly TimeSpan IdleLifetime = TimeSpan.FromMinutes(10);
    private readonly SiloObjectStore _index;
    private readonly object _activation = new();

    public SiloObjectStoreTests() => _index = Store(capacityBytes: 1L << 30);

    public void Dispose() => _index.Dispose();

    private SiloObjectStore Store(long capacityBytes)
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        return new SiloObjectStore(_clock, new GrainMetrics(services.GetRequiredService<IMeterFactory>()), capacityBytes, IdleLifetime);
    }

    private static CachedResponse Response(DateTimeOffset started, string[] tags, int bodyBytes = 16) => new()
    {
        Status = 200,
        Headers = [],
        Body = new byte[bodyBytes],
        Tags = tags,
        FetchStarted = started,
        Received = started,
        FreshUntil = started + TimeSpan.FromHours(1),
    };

    private InvalidationNotice Notice(InvalidationItemKind kind, string value, bool soft = false) => new()
    {
        InvalidationId = "I1",
        Scope = Scope,
        Items = [new InvalidationItem(kind, value)],
        TagHeader = Header,
        Stamp = new InvalidationStamp(_clock.GetUtcNow(), soft),
    };

    private CopyVerdict Settle(string key, DateTimeOffset started, long startedTimestamp, params string[] tags) =>
        _index.Settle(key, _activation, Header, Response(started, tags), startedTimestamp);

    /// <summary>A copy fetched now by an activation that then ended, as after a miss.</summary>
    private void Cache(string key, params string[] tags) => Cache(_index, key, 16, tags);

    private void Cache(SiloObjectStore store, string key, int bodyBytes, params string[] tags)
    {
        var activation = new object();
        store.Enter(key, activation);
        Assert.Equal(CopyVerdict.Current, store.Settle(key, activation, Header, Response(_clock.GetUtcNow(), tags, bodyBytes), _clock.GetTimestamp()));
        store.Leave(key, activation);
    }

    private bool Held(string key) => _index.Find(key).Copy is not null;

    private bool Fresh(string key) => _index.Find(key).Copy?.IsFresh(_clock.GetUtcNow()) == true;

    [Fact]
    public void HeldCopies_ServeAFreshCopyByAKeyOnTheStack_NotOneAnInvalidationReached()
    {
        var key = EdgeKeys.Object(Scope, "/held/1");
        Cache(key, "product:1");
        IHeldCopies held = _index;
        Span<char> onStack = stackalloc char[key.Length];
        key.CopyTo(onStack);

        Assert.True(held.TryGetFresh(onStack, _clock.GetUtcNow(), out var copy));
        Assert.Equal(200, copy.Status);
        Assert.False(held.TryGetFresh(EdgeKeys.Object(Scope, "/held/2"), _clock.GetUtcNow(), out _));

        // Soft: the copy stays, stale, for a revalidation by its grain; hard: gone. Neither is served as a hit.
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        _index.Apply(Notice(InvalidationItemKind.Tag, "product:1", soft: true));
        Assert.True(Held(key));
        Assert.False(held.TryGetFresh(key, _clock.GetUtcNow(), out _));

        Cache(key, "product:1");
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        _index.Apply(Notice(InvalidationItemKind.Path, "/held/1"));
        Assert.False(held.TryGetFresh(key, _clock.GetUtcNow(), out _));

        // Past its freshness, not a hit either.
        Cache(key, "product:1");
        _clock.Advance(TimeSpan.FromHours(2));
        Assert.False(held.TryGetFresh(key, _clock.GetUtcNow(), out _));
    }

    [Fact]
    public void NoticeArrivesWhileFetchInFlight_FetchSettlesInvalidated_AndIsNotStored()
    {
        var key = EdgeKeys.Object(Scope, "/p/1");
        _index.Enter(key, _activation);
        var started = _clock.GetUtcNow();
        var startedTimestamp = _clock.GetTimestamp();
        _clock.Advance(TimeSpan.FromMilliseconds(10));

        // The tags are not known yet, so the notice names nothing here; it is remembered instead.
        var effect = _index.Apply(Notice(InvalidationItemKind.Tag, "product:1"));
        Assert.Equal(0, effect.Invalidated);
        Assert.Empty(effect.Active);
        _clock.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Equal(CopyVerdict.InvalidatedHard, Settle(key, started, startedTimestamp, "product:1", "all"));
        Assert.False(Held(key));
    }

    [Fact]
    public void SoftNotice_InFlight_StoredStale_AndAHardOneWins()
    {
        var key = EdgeKeys.Object(Scope, "/p/2");
        _index.Enter(key, _activation);
        var started = _clock.GetUtcNow();
        var startedTimestamp = _clock.GetTimestamp();
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        _index.Apply(Notice(InvalidationItemKind.Tag, "all", soft: true));
        Assert.Equal(CopyVerdict.InvalidatedSoft, Settle(key, started, startedTimestamp, "all"));
        Assert.True(Held(key));
        Assert.False(Fresh(key));

        _index.Apply(Notice(InvalidationItemKind.Prefix, "/p/"));
        Assert.Equal(CopyVerdict.InvalidatedHard, Settle(key, started, startedTimestamp, "all"));
        Assert.False(Held(key));
    }

    [Fact]
    public void NoticeOlderThanTheFetch_OrForAnotherTagScopeOrHeader_LeavesItCurrent()
    {
        var key = EdgeKeys.Object(Scope, "/p/3");
        _index.Enter(key, _activation);
        _index.Apply(Notice(InvalidationItemKind.Tag, "product:3"));
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        var started = _clock.GetUtcNow();
        var startedTimestamp = _clock.GetTimestamp();
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        _index.Apply(Notice(InvalidationItemKind.Tag, "product:4"));
        _index.Apply(Notice(InvalidationItemKind.Tag, "product:3") with { Scope = EdgeKeys.Scope("E1", "t") });
        _index.Apply(Notice(InvalidationItemKind.Tag, "product:3") with { TagHeader = "x-other" });

        Assert.Equal(CopyVerdict.Current, Settle(key, started, startedTimestamp, "product:3"));
        Assert.True(Fresh(key));
    }

    [Fact]
    public void CopiesOfEndedActivations_ReachedByTagPathAndPrefix_AndOnlyThose()
    {
        var one = EdgeKeys.Object(Scope, "/a/1");
        var two = EdgeKeys.Object(Scope, "/a/2?x=1");
        void CacheBoth()
        {
            Cache(one, "shared", "one");
            Cache(two, "shared", "two");
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        CacheBoth();
        Assert.Equal(2, _index.Apply(Notice(InvalidationItemKind.Tag, "shared")).Invalidated);
        Assert.False(Held(one) || Held(two));

        CacheBoth();
        Assert.Equal(1, _index.Apply(Notice(InvalidationItemKind.Tag, "one")).Invalidated);
        Assert.False(Held(one));
        Assert.True(Held(two));
        Assert.Equal(1, _index.Apply(Notice(InvalidationItemKind.Path, "/a/2?x=1")).Invalidated);
        Assert.Equal(0, _index.Count);

        CacheBoth();
        Assert.Equal(0, _index.Apply(Notice(InvalidationItemKind.Prefix, "/b/")).Invalidated);
        Assert.Equal(2, _index.Apply(Notice(InvalidationItemKind.Prefix, "/a/")).Invalidated);

        // Gone copies left their tags: nothing is named twice.
        Assert.Equal(0, _index.Apply(Notice(InvalidationItemKind.Tag, "shared")).Invalidated);
    }

    [Fact]
    public void ActiveObjectNamed_ItsCopyInvalidatedHere_AndItIsListedToHearOfIt()
    {
        var key = EdgeKeys.Object(Scope, "/active/1");
        Cache(key, "t");
        _clock.Advance(TimeSpan.FromSeconds(1));
        _index.Enter(key, _activation);

        var effect = _index.Apply(Notice(InvalidationItemKind.Tag, "t"));
        Assert.Equal(0, effect.Invalidated);
        Assert.Equal([(key, true)], effect.Active);
        Assert.False(Held(key));

        // A path names an active object with no copy (its fetch in flight), so that its fetch hears of it.
        effect = _index.Apply(Notice(InvalidationItemKind.Path, "/active/1"));
        Assert.Equal([(key, false)], effect.Active);
    }

    [Fact]
    public void SoftNotice_KeepsTheCopyStale_StillReachableByTag()
    {
        var key = EdgeKeys.Object(Scope, "/soft/1");
        Cache(key, "t");
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _index.Apply(Notice(InvalidationItemKind.Tag, "t", soft: true)).Invalidated);
        Assert.True(Held(key));
        Assert.False(Fresh(key));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _index.Apply(Notice(InvalidationItemKind.Tag, "t")).Invalidated);
        Assert.False(Held(key));
    }

    [Fact]
    public void RefetchedWithOtherTags_OldTagsNoLongerNameIt()
    {
        var key = EdgeKeys.Object(Scope, "/p/5");
        _index.Enter(key, _activation);
        Settle(key, _clock.GetUtcNow(), _clock.GetTimestamp(), "old");
        Settle(key, _clock.GetUtcNow(), _clock.GetTimestamp(), "new");
        _index.Leave(key, _activation);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(0, _index.Apply(Notice(InvalidationItemKind.Tag, "old")).Invalidated);
        Assert.Equal(1, _index.Apply(Notice(InvalidationItemKind.Tag, "new")).Invalidated);
    }

    [Fact]
    public void FetchOutlastingTheNoticeMemory_IsNeverStoredFresh()
    {
        var key = EdgeKeys.Object(Scope, "/p/6");
        _index.Enter(key, _activation);
        var started = _clock.GetUtcNow();
        var startedTimestamp = _clock.GetTimestamp();
        _clock.Advance(SiloObjectStore.NoticeMemory + TimeSpan.FromSeconds(1));

        Assert.Equal(CopyVerdict.InvalidatedHard, Settle(key, started, startedTimestamp, "any"));
    }

    [Fact]
    public void ObjectNotActiveHere_OrAnotherActivationsNow_NeverStored()
    {
        // No notice could be sure to find it, so nothing could invalidate it: the response must not be kept.
        var key = EdgeKeys.Object(Scope, "/p/7");
        Assert.Equal(CopyVerdict.InvalidatedHard, Settle(key, _clock.GetUtcNow(), _clock.GetTimestamp(), "any"));
        _index.Enter(key, new object());
        Assert.Equal(CopyVerdict.InvalidatedHard, Settle(key, _clock.GetUtcNow(), _clock.GetTimestamp(), "any"));
        Assert.False(Held(key));
    }

    [Fact]
    public void ManyNoticesHeard_OnlyThoseSinceTheFetchBeganAreWeighed()
    {
        var key = EdgeKeys.Object(Scope, "/p/8");
        _index.Enter(key, _activation);
        for (var i = 0; i < 1000; i++)
        {
            _index.Apply(Notice(InvalidationItemKind.Prefix, "/"));
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        var started = _clock.GetUtcNow();
        var startedTimestamp = _clock.GetTimestamp();
        Assert.Equal(CopyVerdict.Current, Settle(key, started, startedTimestamp, "t"));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        _index.Apply(Notice(InvalidationItemKind.Path, "/p/8"));
        Assert.Equal(CopyVerdict.InvalidatedHard, Settle(key, started, startedTimestamp, "t"));
    }

    [Fact]
    public void PastCapacity_LeastRecentlyUsedGoFirst_AndTheirTagsWithThem()
    {
        var overhead = SiloObjectStore.CopyOverheadBytes;
        using var store = Store(capacityBytes: 3 * (1000 + overhead));
        string Key(int i) => EdgeKeys.Object(Scope, $"/cap/{i}");
        for (var i = 0; i < 3; i++)
        {
            Cache(store, Key(i), 1000, "cap", $"own:{i}");
        }

        // The first was asked for since: the hand passes it over and takes the second.
        Assert.NotNull(store.Find(Key(0)).Copy);
        Cache(store, Key(3), 1000, "cap", "own:3");
        Assert.Equal(3, store.Count);
        Assert.InRange(store.Bytes, 0, 3 * (1000 + overhead));
        Assert.NotNull(store.Find(Key(0)).Copy);
        Assert.Null(store.Find(Key(1)).Copy);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, store.Apply(Notice(InvalidationItemKind.Tag, "own:1")).Invalidated);
        Assert.Equal(3, store.Apply(Notice(InvalidationItemKind.Tag, "cap")).Invalidated);
        Assert.Equal(0, store.Bytes);
    }

    [Fact]
    public void CopyNobodyAsksFor_DroppedAfterTheIdleLifetime_OneAskedForStays()
    {
        var idle = EdgeKeys.Object(Scope, "/idle/1");
        var used = EdgeKeys.Object(Scope, "/idle/2");
        Cache(idle, "t");
        Cache(used, "t");
        for (var elapsed = TimeSpan.Zero; elapsed <= IdleLifetime + TimeSpan.FromMinutes(2); elapsed += TimeSpan.FromMinutes(1))
        {
            _index.Find(used);
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.False(Held(idle));
        Assert.True(Held(used));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _index.Apply(Notice(InvalidationItemKind.Tag, "t")).Invalidated);
    }

    [Fact]
    public void PassMemory_OutlivesTheActivation_AndEnds()
    {
        var key = EdgeKeys.Object(Scope, "/pass/1");
        _index.Enter(key, _activation);
        _index.Pass(key, TimeSpan.FromMinutes(2));
        _index.Leave(key, _activation);
        Assert.True(_index.Find(key).Passing);

        _clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        Assert.False(_index.Find(key).Passing);
    }

    [Fact]
    public void PathNotice_ReachesEveryVariantOfItsUrl_AndNoOtherUrl()
    {
        var plain = EdgeKeys.Object(Scope, "/v/1");
        var gzip = EdgeKeys.VariantObject(Scope, "/v/1", "accept-encoding:gzip");
        var french = EdgeKeys.VariantObject(Scope, "/v/1", "accept-encoding:br\naccept-language:fr");
        var withQuery = EdgeKeys.VariantObject(Scope, "/v/1?x=1", "accept-encoding:gzip");
        foreach (var key in new[] { plain, gzip, french, withQuery })
        {
            Cache(key);
        }

        _clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(3, _index.Apply(Notice(InvalidationItemKind.Path, "/v/1")).Invalidated);
        Assert.False(Held(plain) || Held(gzip) || Held(french));
        Assert.True(Held(withQuery));

        // And a variant cached again afterwards is found again.
        Cache(gzip);
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(1, _index.Apply(Notice(InvalidationItemKind.Path, "/v/1")).Invalidated);
    }
}

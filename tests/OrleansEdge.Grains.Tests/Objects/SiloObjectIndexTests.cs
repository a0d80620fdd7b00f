using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Objects;

namespace OrleansEdge.Grains.Tests.Objects;

/// <summary>The silo's index of the objects it hosts: the in-flight verdict and which objects a notice names.</summary>
public sealed class SiloObjectIndexTests
{
    private const string Header = "x-amz-meta-cache-tag";
    private static readonly string Scope = EdgeKeys.Scope("E1", "");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly SiloObjectIndex _index;
    private readonly object _activation = new();

    public SiloObjectIndexTests()
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _index = new SiloObjectIndex(_clock, new GrainMetrics(services.GetRequiredService<IMeterFactory>()));
    }

    private InvalidationNotice Notice(InvalidationItemKind kind, string value, bool soft = false) => new()
    {
        InvalidationId = "I1",
        Scope = Scope,
        Items = [new InvalidationItem(kind, value)],
        TagHeader = Header,
        Stamp = new InvalidationStamp(_clock.GetUtcNow(), soft),
    };

    private CopyVerdict Settle(string key, DateTimeOffset started, long startedTimestamp, params string[] tags) =>
        _index.Settle(key, _activation, Header, tags, started, startedTimestamp);

    [Fact]
    public void NoticeArrivesWhileFetchInFlight_FetchSettlesInvalidated_AndIsNotIndexedAsFresh()
    {
        var key = EdgeKeys.Object(Scope, "/p/1");
        _index.Enter(key, _activation);
        var started = _clock.GetUtcNow();
        var startedTimestamp = _clock.GetTimestamp();
        _clock.Advance(TimeSpan.FromMilliseconds(10));

        // The tags are not known yet, so the notice names nothing here; it is remembered instead.
        Assert.Empty(_index.Apply(Notice(InvalidationItemKind.Tag, "product:1")));
        _clock.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Equal(CopyVerdict.InvalidatedHard, Settle(key, started, startedTimestamp, "product:1", "all"));
    }

    [Fact]
    public void SoftNotice_InFlight_VerdictSoft_AndAHardOneWins()
    {
        var key = EdgeKeys.Object(Scope, "/p/2");
        _index.Enter(key, _activation);
        var started = _clock.GetUtcNow();
        var startedTimestamp = _clock.GetTimestamp();
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        _index.Apply(Notice(InvalidationItemKind.Tag, "all", soft: true));
        Assert.Equal(CopyVerdict.InvalidatedSoft, Settle(key, started, startedTimestamp, "all"));

        _index.Apply(Notice(InvalidationItemKind.Prefix, "/p/"));
        Assert.Equal(CopyVerdict.InvalidatedHard, Settle(key, started, startedTimestamp, "all"));
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
    }

    [Fact]
    public void SettledObjects_NamedByTagPathAndPrefix_AndNoLongerOnceTheyLeave()
    {
        var one = EdgeKeys.Object(Scope, "/a/1");
        var two = EdgeKeys.Object(Scope, "/a/2?x=1");
        foreach (var (key, own) in new[] { (one, "one"), (two, "two") })
        {
            _index.Enter(key, _activation);
            Settle(key, _clock.GetUtcNow(), _clock.GetTimestamp(), "shared", own);
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([one, two], _index.Apply(Notice(InvalidationItemKind.Tag, "shared")).Order());
        Assert.Equal([one], _index.Apply(Notice(InvalidationItemKind.Tag, "one")));
        Assert.Equal([two], _index.Apply(Notice(InvalidationItemKind.Path, "/a/2?x=1")));
        Assert.Equal([one, two], _index.Apply(Notice(InvalidationItemKind.Prefix, "/a/")).Order());
        Assert.Empty(_index.Apply(Notice(InvalidationItemKind.Prefix, "/b/")));

        _index.Leave(one, _activation);
        Assert.Equal([two], _index.Apply(Notice(InvalidationItemKind.Tag, "shared")));

        // A leave from an activation that is not the current one changes nothing.
        _index.Leave(two, new object());
        Assert.Equal([two], _index.Apply(Notice(InvalidationItemKind.Tag, "shared")));
    }

    [Fact]
    public void RefetchedWithOtherTags_OldTagsNoLongerNameIt()
    {
        var key = EdgeKeys.Object(Scope, "/p/5");
        _index.Enter(key, _activation);
        Settle(key, _clock.GetUtcNow(), _clock.GetTimestamp(), "old");
        Settle(key, _clock.GetUtcNow(), _clock.GetTimestamp(), "new");
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Empty(_index.Apply(Notice(InvalidationItemKind.Tag, "old")));
        Assert.Equal([key], _index.Apply(Notice(InvalidationItemKind.Tag, "new")));
    }

    [Fact]
    public void FetchOutlastingTheNoticeMemory_IsNeverStoredFresh()
    {
        var key = EdgeKeys.Object(Scope, "/p/6");
        _index.Enter(key, _activation);
        var started = _clock.GetUtcNow();
        var startedTimestamp = _clock.GetTimestamp();
        _clock.Advance(SiloObjectIndex.NoticeMemory + TimeSpan.FromSeconds(1));

        Assert.Equal(CopyVerdict.InvalidatedHard, Settle(key, started, startedTimestamp, "any"));
    }

    [Fact]
    public void ObjectNotIndexedHere_NeverStoredFresh()
    {
        // No notice could find it, so nothing could invalidate it: the response must not be kept.
        var key = EdgeKeys.Object(Scope, "/p/7");
        Assert.Equal(CopyVerdict.InvalidatedHard, Settle(key, _clock.GetUtcNow(), _clock.GetTimestamp(), "any"));
        _index.Enter(key, new object());
        Assert.Equal(CopyVerdict.InvalidatedHard, Settle(key, _clock.GetUtcNow(), _clock.GetTimestamp(), "any"));
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
}

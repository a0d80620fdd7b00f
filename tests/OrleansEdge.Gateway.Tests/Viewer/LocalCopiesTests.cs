using OrleansEdge.Gateway.Viewer;
using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Gateway.Tests.Viewer;

public sealed class LocalCopiesTests
{
    private const string Scope = "E1  ";
    private const string Header = "x-amz-meta-cache-tag";
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    private LocalCopies Registered(long capacity = 1 << 20)
    {
        var copies = new LocalCopies(_clock, capacity);
        copies.Renewed(_clock.GetUtcNow().AddSeconds(15), _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        return copies;
    }

    private CachedResponse Response(string tag = "t", int size = 10, TimeSpan? fetchedAgo = null) => new()
    {
        Status = 200,
        Headers = [],
        Body = new byte[size],
        Tags = [tag],
        FetchStarted = _clock.GetUtcNow() - (fetchedAgo ?? TimeSpan.FromMilliseconds(1)),
        Received = _clock.GetUtcNow(),
        FreshUntil = _clock.GetUtcNow().AddHours(1),
    };

    private InvalidationNotice Notice(InvalidationItemKind kind, string value) => new()
    {
        InvalidationId = "I1",
        Scope = Scope,
        Items = [new InvalidationItem(kind, value)],
        TagHeader = Header,
        Stamp = new InvalidationStamp(_clock.GetUtcNow(), Soft: false),
    };

    private bool Has(LocalCopies copies, string target) => copies.TryGet(Scope + target, _clock.GetUtcNow(), out _);

    [Fact]
    public void WithoutLease_NothingStoredOrServed()
    {
        var copies = new LocalCopies(_clock, 1 << 20);
        copies.Store(Scope + "/a", Scope, Header, Response(), _clock.GetUtcNow());
        Assert.False(Has(copies, "/a"));
    }

    [Fact]
    public void LeaseRunsOut_CopiesNoLongerServed()
    {
        var copies = Registered();
        copies.Store(Scope + "/a", Scope, Header, Response(), _clock.GetUtcNow());
        Assert.True(Has(copies, "/a"));
        _clock.Advance(TimeSpan.FromSeconds(16));
        Assert.False(Has(copies, "/a"));
    }

    [Fact]
    public void LookupStartedBeforeRegistration_NotStored()
    {
        var before = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromSeconds(1));
        var copies = Registered();
        copies.Store(Scope + "/a", Scope, Header, Response(), before);
        Assert.False(Has(copies, "/a"));
    }

    [Theory]
    [InlineData(InvalidationItemKind.Tag, "t", true)]
    [InlineData(InvalidationItemKind.Tag, "other", false)]
    [InlineData(InvalidationItemKind.Path, "/img/a.jpg?w=1", true)]
    [InlineData(InvalidationItemKind.Path, "/img/a.jpg", false)]
    [InlineData(InvalidationItemKind.Prefix, "/img/", true)]
    [InlineData(InvalidationItemKind.Prefix, "/css/", false)]
    public void Notice_DropsWhatItCovers(InvalidationItemKind kind, string value, bool dropped)
    {
        var copies = Registered();
        copies.Store(Scope + "/img/a.jpg?w=1", Scope, Header, Response(), _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(dropped ? 1 : 0, copies.Apply(Notice(kind, value)));
        Assert.Equal(!dropped, Has(copies, "/img/a.jpg?w=1"));
    }

    [Fact]
    public void OlderCopyArrivingAfterItsNotice_Refused_NewerCopyKept()
    {
        var copies = Registered();
        var lookupStarted = _clock.GetUtcNow();
        var older = Response(fetchedAgo: TimeSpan.FromMilliseconds(1));
        _clock.Advance(TimeSpan.FromMilliseconds(5));
        copies.Apply(Notice(InvalidationItemKind.Tag, "t"));
        copies.Store(Scope + "/a", Scope, Header, older, lookupStarted);
        Assert.False(Has(copies, "/a"));

        _clock.Advance(TimeSpan.FromMilliseconds(5));
        copies.Store(Scope + "/a", Scope, Header, Response(fetchedAgo: TimeSpan.Zero), _clock.GetUtcNow());
        Assert.True(Has(copies, "/a"));
    }

    [Fact]
    public void TagNotice_DropsEveryCopyWithTheTag_UnderAnyHeaderCase_AndNoOther()
    {
        var copies = Registered();
        for (var i = 0; i < 50; i++)
        {
            copies.Store(Scope + $"/p/{i}", Scope, i % 2 == 0 ? Header : Header.ToUpperInvariant(), Response(tag: "shared"), _clock.GetUtcNow());
            copies.Store(Scope + $"/q/{i}", Scope, Header, Response(tag: "other"), _clock.GetUtcNow());
        }

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(50, copies.Apply(Notice(InvalidationItemKind.Tag, "shared")));
        Assert.False(Has(copies, "/p/7"));
        Assert.True(Has(copies, "/q/7"));
        Assert.Equal(0, copies.Apply(Notice(InvalidationItemKind.Tag, "shared")));
    }

    [Fact]
    public void CopyReplacedWithOtherTags_AnswersOnlyToItsNewTags()
    {
        var copies = Registered();
        copies.Store(Scope + "/a", Scope, Header, Response(tag: "old"), _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        copies.Store(Scope + "/a", Scope, Header, Response(tag: "new"), _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(0, copies.Apply(Notice(InvalidationItemKind.Tag, "old")));
        Assert.True(Has(copies, "/a"));
        Assert.Equal(1, copies.Apply(Notice(InvalidationItemKind.Tag, "new")));
        Assert.False(Has(copies, "/a"));
    }

    [Fact]
    public void EvictedCopy_StoredAgain_StillFoundByItsTag()
    {
        var copies = Registered(capacity: 4 * 1024);
        copies.Store(Scope + "/a", Scope, Header, Response(tag: "t", size: 1000), _clock.GetUtcNow());
        for (var i = 0; i < 20; i++)
        {
            copies.Store(Scope + $"/filler/{i}", Scope, Header, Response(tag: "f", size: 1000), _clock.GetUtcNow());
        }

        Assert.False(Has(copies, "/a"));
        copies.Store(Scope + "/a", Scope, Header, Response(tag: "t", size: 1000), _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, copies.Apply(Notice(InvalidationItemKind.Tag, "t")));
        Assert.False(Has(copies, "/a"));
    }

    [Fact]
    public void OverCapacity_StaysBounded_RecentlyUsedKept()
    {
        var copies = Registered(capacity: 20 * 1024);
        copies.Store(Scope + "/hot", Scope, Header, Response(size: 1000), _clock.GetUtcNow());
        for (var i = 0; i < 200; i++)
        {
            Assert.True(Has(copies, "/hot"));
            copies.Store(Scope + $"/cold/{i}", Scope, Header, Response(size: 1000), _clock.GetUtcNow());
            Assert.InRange(copies.Bytes, 0, 20 * 1024 + 2000);
        }

        Assert.True(Has(copies, "/hot"));
        Assert.False(Has(copies, "/cold/0"));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}

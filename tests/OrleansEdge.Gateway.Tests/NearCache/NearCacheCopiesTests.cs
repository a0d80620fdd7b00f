using Microsoft.Extensions.Time.Testing;
using OrleansEdge.Gateway.Viewer;
using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Gateway.NearCache;

namespace OrleansEdge.Gateway.Tests.NearCache;

public sealed class NearCacheCopiesTests
{
    private const string Scope = "E1  ";
    private const string Header = "x-amz-meta-cache-tag";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    private NearCacheCopies Registered(long capacity = 1 << 20)
    {
        var copies = new NearCacheCopies(_clock, capacity);
        copies.Renewed(_clock.GetTimestamp(), continued: false);
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

    private bool Has(NearCacheCopies copies, string target) => copies.TryGet(Scope + target, _clock.GetUtcNow(), out _);

    [Fact]
    public void Count_FollowsEveryWayACopyComesAndGoes()
    {
        var copies = Registered(capacity: 3 * (10 + 512 + 2 * (Scope.Length + 2)));
        copies.Admit(Scope + "/a", Scope, Header, Response("ta"), _clock.GetTimestamp());
        copies.Admit(Scope + "/b", Scope, Header, Response("tb"), _clock.GetTimestamp());
        copies.Admit(Scope + "/a", Scope, Header, Response("ta"), _clock.GetTimestamp());
        Assert.Equal(2, copies.Count);

        copies.Apply(Notice(InvalidationItemKind.Tag, "ta"));
        Assert.Equal(1, copies.Count);

        // Over capacity: the hand lets copies go, and the count with them.
        for (var i = 0; i < 10; i++)
        {
            copies.Admit(Scope + $"/many/{i}", Scope, Header, Response($"m{i}"), _clock.GetTimestamp());
        }

        Assert.InRange(copies.Count, 1, 3);
        Assert.Equal(copies.Count, Enumerable.Range(0, 10).Count(i => Has(copies, $"/many/{i}")) + (Has(copies, "/b") ? 1 : 0));

        copies.Expire();
        Assert.Equal(0, copies.Count);
    }

    [Fact]
    public void WithoutLease_NothingStoredOrServed()
    {
        var copies = new NearCacheCopies(_clock, 1 << 20);
        copies.Admit(Scope + "/a", Scope, Header, Response(), _clock.GetTimestamp());
        Assert.False(Has(copies, "/a"));
    }

    [Fact]
    public void LeaseRunsOut_CopiesNoLongerServed()
    {
        var copies = Registered();
        copies.Admit(Scope + "/a", Scope, Header, Response(), _clock.GetTimestamp());
        Assert.True(Has(copies, "/a"));
        _clock.Advance(TimeSpan.FromSeconds(16));
        Assert.False(Has(copies, "/a"));
    }

    [Fact]
    public void LookupStartedBeforeRegistration_NotStored()
    {
        var before = _clock.GetTimestamp();
        _clock.Advance(TimeSpan.FromSeconds(1));
        var copies = Registered();
        copies.Admit(Scope + "/a", Scope, Header, Response(), before);
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
        copies.Admit(Scope + "/img/a.jpg?w=1", Scope, Header, Response(), _clock.GetTimestamp());
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(dropped ? 1 : 0, copies.Apply(Notice(kind, value)));
        Assert.Equal(!dropped, Has(copies, "/img/a.jpg?w=1"));
    }

    [Fact]
    public void OlderCopyArrivingAfterItsNotice_Refused_NewerCopyKept()
    {
        var copies = Registered();
        var lookupStarted = _clock.GetTimestamp();
        var older = Response(fetchedAgo: TimeSpan.FromMilliseconds(1));
        _clock.Advance(TimeSpan.FromMilliseconds(5));
        copies.Apply(Notice(InvalidationItemKind.Tag, "t"));

        // The viewer asked before the notice: it may be served the older copy, which is not kept.
        Assert.True(copies.Admit(Scope + "/a", Scope, Header, older, lookupStarted));
        Assert.False(Has(copies, "/a"));

        _clock.Advance(TimeSpan.FromMilliseconds(5));
        copies.Admit(Scope + "/a", Scope, Header, Response(fetchedAgo: TimeSpan.Zero), _clock.GetTimestamp());
        Assert.True(Has(copies, "/a"));
    }

    [Fact]
    public void OlderCopyForALookupThatBeganAfterItsNotice_NotEvenServed()
    {
        var copies = Registered();
        var older = Response(fetchedAgo: TimeSpan.FromMilliseconds(1));
        _clock.Advance(TimeSpan.FromMilliseconds(5));
        copies.Apply(Notice(InvalidationItemKind.Path, "/a"));
        _clock.Advance(TimeSpan.FromMilliseconds(5));

        // A silo that was stalled past its death answers with a copy the invalidation removed everywhere else.
        Assert.False(copies.Admit(Scope + "/a", Scope, Header, older, _clock.GetTimestamp()));
        Assert.False(Has(copies, "/a"));
    }

    [Fact]
    public void StalledPastTheLease_RenewedAsContinuedByTheRegistry_OldCopiesGone_NewOnesKept()
    {
        var copies = Registered();
        copies.Admit(Scope + "/a", Scope, Header, Response(), _clock.GetTimestamp());

        // SIGSTOP for 20 s: nothing ran here, and the registry's answer alone cannot tell.
        _clock.Advance(TimeSpan.FromSeconds(20));
        Assert.False(Has(copies, "/a"));
        Assert.True(copies.Renewed(_clock.GetTimestamp(), continued: true));
        Assert.False(Has(copies, "/a"));

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        copies.Admit(Scope + "/b", Scope, Header, Response(fetchedAgo: TimeSpan.Zero), _clock.GetTimestamp());
        Assert.True(Has(copies, "/b"));
    }

    [Fact]
    public void RegistryHadGivenUpOnThisGateway_OldCopiesGone_EvenWithTheLocalLeaseRunning()
    {
        var copies = Registered();
        copies.Admit(Scope + "/a", Scope, Header, Response(), _clock.GetTimestamp());
        _clock.Advance(TimeSpan.FromSeconds(4));
        Assert.True(copies.Renewed(_clock.GetTimestamp(), continued: false));
        Assert.False(Has(copies, "/a"));
    }

    [Fact]
    public void StallShorterThanTheLease_CopiesStillServedAfterRenewal()
    {
        var copies = Registered();
        copies.Admit(Scope + "/a", Scope, Header, Response(), _clock.GetTimestamp());
        _clock.Advance(TimeSpan.FromSeconds(8));
        Assert.True(Has(copies, "/a"));
        Assert.False(copies.Renewed(_clock.GetTimestamp(), continued: true));
        Assert.True(Has(copies, "/a"));
        _clock.Advance(TimeSpan.FromSeconds(11));
        Assert.True(Has(copies, "/a"));
    }

    [Fact]
    public void LookupFromBeforeAStall_ArrivingInTheNewEpoch_NotStored()
    {
        var copies = Registered();
        var lookupStarted = _clock.GetTimestamp();
        _clock.Advance(TimeSpan.FromSeconds(20));
        copies.Renewed(_clock.GetTimestamp(), continued: true);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        copies.Admit(Scope + "/a", Scope, Header, Response(), lookupStarted);
        Assert.False(Has(copies, "/a"));
    }

    [Fact]
    public void TagNotice_DropsEveryCopyWithTheTag_UnderAnyHeaderCase_AndNoOther()
    {
        var copies = Registered();
        for (var i = 0; i < 50; i++)
        {
            copies.Admit(Scope + $"/p/{i}", Scope, i % 2 == 0 ? Header : Header.ToUpperInvariant(), Response(tag: "shared"), _clock.GetTimestamp());
            copies.Admit(Scope + $"/q/{i}", Scope, Header, Response(tag: "other"), _clock.GetTimestamp());
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
        copies.Admit(Scope + "/a", Scope, Header, Response(tag: "old"), _clock.GetTimestamp());
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        copies.Admit(Scope + "/a", Scope, Header, Response(tag: "new"), _clock.GetTimestamp());
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
        copies.Admit(Scope + "/a", Scope, Header, Response(tag: "t", size: 1000), _clock.GetTimestamp());
        for (var i = 0; i < 20; i++)
        {
            copies.Admit(Scope + $"/filler/{i}", Scope, Header, Response(tag: "f", size: 1000), _clock.GetTimestamp());
        }

        Assert.False(Has(copies, "/a"));
        copies.Admit(Scope + "/a", Scope, Header, Response(tag: "t", size: 1000), _clock.GetTimestamp());
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, copies.Apply(Notice(InvalidationItemKind.Tag, "t")));
        Assert.False(Has(copies, "/a"));
    }

    [Fact]
    public void OverCapacity_StaysBounded_RecentlyUsedKept()
    {
        var copies = Registered(capacity: 20 * 1024);
        copies.Admit(Scope + "/hot", Scope, Header, Response(size: 1000), _clock.GetTimestamp());
        for (var i = 0; i < 200; i++)
        {
            Assert.True(Has(copies, "/hot"));
            copies.Admit(Scope + $"/cold/{i}", Scope, Header, Response(size: 1000), _clock.GetTimestamp());
            Assert.InRange(copies.Bytes, 0, 20 * 1024 + 2000);
        }

        Assert.True(Has(copies, "/hot"));
        Assert.False(Has(copies, "/cold/0"));
    }


    [Fact]
    public void PathNotice_DropsEveryVariantOfItsUrl()
    {
        var copies = Registered();
        string[] variants = [Scope + "/v", Scope + "/v accept-encoding:gzip", Scope + "/v accept-encoding:br\ncookie:session=1"];
        foreach (var key in variants)
        {
            copies.Admit(key, Scope, Header, Response(), _clock.GetTimestamp());
        }

        copies.Admit(Scope + "/v2 accept-encoding:gzip", Scope, Header, Response(), _clock.GetTimestamp());
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(3, copies.Apply(Notice(InvalidationItemKind.Path, "/v")));
        Assert.All(variants, key => Assert.False(copies.TryGet(key, _clock.GetUtcNow(), out _)));
        Assert.True(copies.TryGet(Scope + "/v2 accept-encoding:gzip", _clock.GetUtcNow(), out _));

        // A variant fetched before the notice, for a lookup that began after it, is refused, as any copy is.
        Assert.False(copies.Admit(Scope + "/v accept-encoding:gzip", Scope, Header, Response(fetchedAgo: TimeSpan.FromSeconds(1)), _clock.GetTimestamp()));
        Assert.False(copies.TryGet(Scope + "/v accept-encoding:gzip", _clock.GetUtcNow(), out _));
    }
}

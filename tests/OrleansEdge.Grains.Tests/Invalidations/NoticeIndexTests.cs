using Microsoft.Extensions.Time.Testing;
using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;

namespace OrleansEdge.Grains.Tests.Invalidations;

/// <summary>The notices a holder of copies remembers, found by what they name rather than by a walk over all of them.</summary>
public sealed class NoticeIndexTests
{
    private const string Header = "x-amz-meta-cache-tag";
    private static readonly string Scope = EdgeKeys.Scope("E1", "");
    private static readonly TimeSpan Memory = TimeSpan.FromMinutes(2);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly NoticeIndex _index;

    public NoticeIndexTests() => _index = new NoticeIndex(_clock, Memory);

    private InvalidationNotice Notice(InvalidationItemKind kind, string value, string scope = "", string header = Header) => new()
    {
        InvalidationId = "I" + Guid.NewGuid().ToString("N"),
        Scope = scope.Length > 0 ? scope : Scope,
        Items = [new InvalidationItem(kind, value)],
        TagHeader = header,
        Stamp = new InvalidationStamp(_clock.GetUtcNow(), Soft: false),
    };

    private void Hear(InvalidationNotice notice)
    {
        _index.Add(notice, _clock.GetTimestamp());
        _clock.Advance(TimeSpan.FromMilliseconds(1));
    }

    /// <summary>A copy of /p/1 tagged product:1 and all, fetched a second before now.</summary>
    private NoticeTiming Covering(long moment, string path = "/p/1", string header = Header) =>
        _index.Covering(EdgeKeys.Object(Scope, path), Scope, header, ["product:1", "all"], _clock.GetUtcNow() - TimeSpan.FromSeconds(1), moment);

    [Theory]
    [InlineData(InvalidationItemKind.Tag, "product:1")]
    [InlineData(InvalidationItemKind.Tag, "all")]
    [InlineData(InvalidationItemKind.Path, "/p/1")]
    [InlineData(InvalidationItemKind.Prefix, "/p/")]
    [InlineData(InvalidationItemKind.Prefix, "/")]
    public void NoticeNamingTheCopy_Covers_AndSaysWhetherItWasHeardBeforeTheMoment(InvalidationItemKind kind, string value)
    {
        var before = _clock.GetTimestamp();
        Hear(Notice(kind, value));
        Assert.Equal(NoticeTiming.HeardBefore, Covering(moment: _clock.GetTimestamp()));
        Assert.Equal(NoticeTiming.HeardAfter, Covering(moment: before - 1));
    }

    [Fact]
    public void NoticesForOtherTagsPathsScopesOrHeaders_DoNotCover()
    {
        Hear(Notice(InvalidationItemKind.Tag, "product:2"));
        Hear(Notice(InvalidationItemKind.Path, "/p/12"));
        Hear(Notice(InvalidationItemKind.Prefix, "/q/"));
        Hear(Notice(InvalidationItemKind.Tag, "product:1", scope: EdgeKeys.Scope("E1", "tenant")));
        Hear(Notice(InvalidationItemKind.Tag, "product:1", header: "x-other"));
        Assert.Equal(NoticeTiming.None, Covering(moment: _clock.GetTimestamp()));
        Assert.Equal(5, _index.Count);
    }

    [Fact]
    public void HeaderNamedInAnotherCase_StillTheSameHeader()
    {
        Hear(Notice(InvalidationItemKind.Tag, "product:1", header: "X-Amz-Meta-Cache-Tag"));
        Assert.Equal(NoticeTiming.HeardBefore, Covering(moment: _clock.GetTimestamp(), header: "x-AMZ-meta-cache-tag"));
    }

    [Fact]
    public void NoticeCreatedBeforeTheFetchStarted_DoesNotCoverIt()
    {
        Hear(Notice(InvalidationItemKind.Tag, "all"));
        _clock.Advance(TimeSpan.FromSeconds(5));
        var fetchStarted = _clock.GetUtcNow() - TimeSpan.FromSeconds(1);
        Assert.Equal(NoticeTiming.None, _index.Covering(EdgeKeys.Object(Scope, "/p/1"), Scope, Header, ["all"], fetchStarted, _clock.GetTimestamp()));
    }

    [Fact]
    public void NoticesOlderThanTheMemory_AreForgotten()
    {
        Hear(Notice(InvalidationItemKind.Tag, "all"));
        Hear(Notice(InvalidationItemKind.Path, "/p/1"));
        Hear(Notice(InvalidationItemKind.Prefix, "/"));
        _clock.Advance(Memory + TimeSpan.FromSeconds(1));
        Hear(Notice(InvalidationItemKind.Tag, "unrelated"));
        Assert.Equal(1, _index.Count);
    }

    [Fact]
    public void PurgeStorm_TenThousandNotices_TheOneNamingTheCopyIsFound()
    {
        var moment = _clock.GetTimestamp();
        for (var i = 0; i < 10_000; i++)
        {
            _index.Add(Notice(InvalidationItemKind.Tag, $"product:{i + 2}"), moment + 1);
            if (i == 7_000)
            {
                _index.Add(Notice(InvalidationItemKind.Tag, "product:1"), moment + 1);
            }
        }

        Assert.Equal(NoticeTiming.HeardAfter, Covering(moment));
        Assert.Equal(10_001, _index.Count);
    }
}

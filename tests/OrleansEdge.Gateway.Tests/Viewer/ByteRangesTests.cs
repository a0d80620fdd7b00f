using Microsoft.AspNetCore.Http;
using OrleansEdge.Gateway.Viewer;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Gateway.Tests.Viewer;

public sealed class ByteRangesTests
{
    private static readonly DateTimeOffset Modified = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static CachedResponse Copy(int size = 1000, int status = 200) => new()
    {
        Status = status,
        Headers = [],
        Body = new byte[size],
        Tags = [],
        FetchStarted = Modified,
        Received = Modified,
        FreshUntil = Modified.AddDays(1),
        ETag = "\"v1\"",
        LastModified = Modified,
    };

    private static (RangeAnswer, long, long) Evaluate(string? range, CachedResponse? copy = null, string? ifRange = null)
    {
        IHeaderDictionary headers = new HeaderDictionary();
        if (range is not null)
        {
            headers.Range = range;
        }

        if (ifRange is not null)
        {
            headers.IfRange = ifRange;
        }

        var answer = ByteRanges.Evaluate(headers, copy ?? Copy(), out var start, out var length);
        return (answer, start, length);
    }

    [Theory]
    [InlineData("bytes=0-99", 0, 100)]
    [InlineData("bytes=900-", 900, 100)]
    [InlineData("bytes=-100", 900, 100)]
    [InlineData("bytes=-5000", 0, 1000)]
    [InlineData("bytes=990-2000", 990, 10)]
    [InlineData("BYTES = 5-5", 5, 1)]
    public void OneSatisfiableRange_IsAnsweredPartially(string range, long start, long length) =>
        Assert.Equal((RangeAnswer.Partial, start, length), Evaluate(range.Replace("BYTES = ", "bytes=")));

    [Theory]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=5000-6000")]
    [InlineData("bytes=-0")]
    public void RangeBeyondTheBody_IsUnsatisfiable(string range) =>
        Assert.Equal(RangeAnswer.Unsatisfiable, Evaluate(range).Item1);

    [Theory]
    [InlineData(null)]
    [InlineData("bytes=0-1,5-6")]
    [InlineData("items=0-1")]
    [InlineData("bytes=9-1")]
    [InlineData("bytes=a-b")]
    [InlineData("bytes=")]
    public void NoRange_SeveralOrInvalid_GetsTheWholeBody(string? range) =>
        Assert.Equal((RangeAnswer.Whole, 0L, 1000L), Evaluate(range));

    [Fact]
    public void IfRange_MatchesOnlyTheSameCopy()
    {
        Assert.Equal(RangeAnswer.Partial, Evaluate("bytes=0-9", ifRange: "\"v1\"").Item1);
        Assert.Equal(RangeAnswer.Whole, Evaluate("bytes=0-9", ifRange: "\"v0\"").Item1);
        Assert.Equal(RangeAnswer.Whole, Evaluate("bytes=0-9", ifRange: "W/\"v1\"").Item1);
        Assert.Equal(RangeAnswer.Partial, Evaluate("bytes=0-9", ifRange: Modified.ToString("R")).Item1);
        Assert.Equal(RangeAnswer.Whole, Evaluate("bytes=0-9", ifRange: Modified.AddSeconds(-1).ToString("R")).Item1);
    }

    [Fact]
    public void OnlyA200IsCut() =>
        Assert.Equal(RangeAnswer.Whole, Evaluate("bytes=0-9", Copy(status: 404)).Item1);
}

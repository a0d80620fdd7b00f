using Microsoft.AspNetCore.Http;
using OrleansEdge.Gateway.Viewer;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Gateway.Tests.Viewer;

public sealed class ConditionalRequestTests
{
    private static readonly DateTimeOffset Modified = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly CachedResponse Copy = new()
    {
        Status = 200,
        Headers = [],
        Body = [],
        Tags = [],
        FetchStarted = Modified,
        Received = Modified,
        FreshUntil = DateTimeOffset.MaxValue,
        ETag = "\"v1\"",
        LastModified = Modified,
    };

    private static bool NotModified(params (string Name, string Value)[] headers)
    {
        var dictionary = new HeaderDictionary();
        foreach (var (name, value) in headers)
        {
            dictionary[name] = value;
        }

        return CachedResponseWriter.IsNotModified(dictionary, Copy);
    }

    [Theory]
    [InlineData("\"v1\"", true)]
    [InlineData("W/\"v1\"", true)]
    [InlineData("\"v0\", \"v1\"", true)]
    [InlineData("*", true)]
    [InlineData("\"v2\"", false)]
    public void IfNoneMatch_WeakComparison(string ifNoneMatch, bool expected) =>
        Assert.Equal(expected, NotModified(("If-None-Match", ifNoneMatch)));

    [Fact]
    public void IfModifiedSince_NotModifiedWhenUnchangedSince()
    {
        Assert.True(NotModified(("If-Modified-Since", Modified.AddHours(1).ToString("R"))));
        Assert.False(NotModified(("If-Modified-Since", Modified.AddHours(-1).ToString("R"))));
    }

    [Fact]
    public void IfNoneMatch_WinsOverIfModifiedSince() =>
        Assert.False(NotModified(("If-None-Match", "\"v2\""), ("If-Modified-Since", Modified.AddHours(1).ToString("R"))));

    [Fact]
    public void NoConditions_NotModifiedIsFalse() => Assert.False(NotModified());
}

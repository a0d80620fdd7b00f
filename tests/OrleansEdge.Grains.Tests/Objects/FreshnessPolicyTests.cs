using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Objects;

namespace OrleansEdge.Grains.Tests.Objects;

public sealed class FreshnessPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private static readonly OriginProfile Profile = new()
    {
        BaseUrl = "http://origin",
        MinTtl = TimeSpan.Zero,
        DefaultTtl = TimeSpan.FromDays(1),
        MaxTtl = TimeSpan.FromDays(365),
        ErrorTtl = TimeSpan.FromSeconds(10),
    };

    private static Freshness Evaluate(int status, OriginProfile? profile = null, params (string Name, string Value)[] headers) =>
        FreshnessPolicy.Evaluate(status, headers.Select(h => new HeaderField(h.Name, [h.Value])).ToArray(), Now, profile ?? Profile);

    [Fact]
    public void SMaxAge_WinsOverMaxAge()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), Evaluate(200, null, ("Cache-Control", "max-age=600, s-maxage=30")).Ttl);
    }

    [Fact]
    public void MaxAge_WinsOverExpires()
    {
        var freshness = Evaluate(200, null, ("Cache-Control", "max-age=60"), ("Expires", Now.AddHours(5).ToString("R")));
        Assert.Equal(TimeSpan.FromSeconds(60), freshness.Ttl);
    }

    [Fact]
    public void Expires_MeasuredFromOriginDate()
    {
        var date = Now.AddMinutes(-10);
        var freshness = Evaluate(200, null, ("Date", date.ToString("R")), ("Expires", date.AddMinutes(2).ToString("R")));
        Assert.Equal(TimeSpan.FromMinutes(2), freshness.Ttl);
    }

    [Fact]
    public void InvalidExpires_MeansAlreadyExpired()
    {
        Assert.Equal(TimeSpan.Zero, Evaluate(200, null, ("Expires", "0")).Ttl);
    }

    [Fact]
    public void NoLifetime_UsesDefaultTtl()
    {
        Assert.Equal(TimeSpan.FromDays(1), Evaluate(200).Ttl);
    }

    [Fact]
    public void Lifetime_ClampedToMinAndMax()
    {
        var bounded = Profile with { MinTtl = TimeSpan.FromMinutes(1), MaxTtl = TimeSpan.FromHours(1) };
        Assert.Equal(TimeSpan.FromMinutes(1), Evaluate(200, bounded, ("Cache-Control", "max-age=5")).Ttl);
        Assert.Equal(TimeSpan.FromHours(1), Evaluate(200, bounded, ("Cache-Control", "max-age=86400")).Ttl);
    }

    [Theory]
    [InlineData("Cache-Control", "no-store")]
    [InlineData("Cache-Control", "private, max-age=60")]
    [InlineData("Set-Cookie", "session=1")]
    public void PrivateResponses_NotStorable(string name, string value)
    {
        Assert.False(Evaluate(200, null, (name, value)).Storable);
    }

    [Fact]
    public void NoCache_StoredButAlwaysRevalidated()
    {
        var freshness = Evaluate(200, null, ("Cache-Control", "no-cache, max-age=600"));
        Assert.True(freshness.Storable);
        Assert.Equal(TimeSpan.Zero, freshness.Ttl);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(302)]
    [InlineData(201)]
    public void NonCacheableStatus_NotStorable(int status)
    {
        Assert.False(Evaluate(status, null, ("Cache-Control", "max-age=60")).Storable);
    }

    [Fact]
    public void NotFoundWithoutLifetime_UsesErrorTtl()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), Evaluate(404).Ttl);
        Assert.Equal(TimeSpan.FromSeconds(120), Evaluate(404, null, ("Cache-Control", "max-age=120")).Ttl);
    }

    [Fact]
    public void StaleIfError_Read()
    {
        Assert.Equal(TimeSpan.FromSeconds(300), Evaluate(200, null, ("Cache-Control", "max-age=60, stale-if-error=300")).StaleIfError);
    }
}

using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Gateway.Routing;

namespace OrleansEdge.Gateway.Tests.Routing;

public sealed class CacheBehaviorTests
{
    [Theory]
    [InlineData("/api/*", "/api/products/1", true)]
    [InlineData("/api/*", "/api", false)]
    [InlineData("/api/*", "/API/x", false)]
    [InlineData("*.jpg", "/img/a.jpg", true)]
    [InlineData("/images/*.jpg", "/images/a/b.jpg", true)]
    [InlineData("/images/*.jpg", "/images/a.png", false)]
    [InlineData("/v?/*", "/v1/x", true)]
    [InlineData("/v?/*", "/v10/x", false)]
    [InlineData("*", "/", true)]
    [InlineData("/a*b*c", "/aXbYbZc", true)]
    [InlineData("/a*b*c", "/aXbYbZ", false)]
    public void PathPatterns_MatchAsCloudFront(string pattern, string path, bool matches) =>
        Assert.Equal(matches, PathPatterns.Matches(pattern, path));

    [Fact]
    public void PathPattern_WithoutItsLeadingSlash_IsRooted() =>
        Assert.Equal("/images/*", PathPatterns.Rooted("images/*"));

    [Fact]
    public void FirstMatchingBehaviorWins_ElseTheDefault()
    {
        var options = new EdgeOptions();
        options.CachePolicies["Static"] = new CachePolicyOptions { QueryStrings = new KeyItemsOptions { Behavior = "None" } };
        var distributionOptions = new DistributionOptions
        {
            Origin = "http://127.0.0.1:9000",
            Domains = ["e1.test"],
            Behaviors =
            [
                new CacheBehaviorOptions { PathPattern = "/api/*", CachePolicy = "CachingDisabled" },
                new CacheBehaviorOptions { PathPattern = "/api/static/*", CachePolicy = "Static" },
                new CacheBehaviorOptions { PathPattern = "static/*", CachePolicy = "Static" },
            ],
        };
        var distribution = new Distribution("E1", distributionOptions, options);

        Assert.False(distribution.BehaviorFor("/api/static/x").Policy.Caches);
        Assert.Equal("Static", distribution.BehaviorFor("/static/app.js").Policy.Name);
        Assert.Equal(KeyItems.None, distribution.BehaviorFor("/static/app.js").Policy.QueryStrings);
        Assert.Same(distribution.DefaultBehavior, distribution.BehaviorFor("/page"));
        Assert.Equal(KeyItems.All, distribution.DefaultBehavior.Policy.QueryStrings);
    }

    [Fact]
    public void PolicyFieldsLeftOut_TakeTheDefaultPolicysValues()
    {
        var options = new EdgeOptions();
        options.CachePolicies["Short"] = new CachePolicyOptions { Ttl = new TtlOptions { Default = TimeSpan.FromMinutes(1), Max = TimeSpan.FromHours(1) } };
        var distributionOptions = new DistributionOptions { Ttl = new TtlOptions { Default = TimeSpan.FromHours(2) } };

        var shortPolicy = CachePolicy.Resolve("short", options, distributionOptions);
        Assert.Equal(TimeSpan.FromMinutes(1), shortPolicy.Ttl.Default);
        Assert.Equal(KeyItems.All, shortPolicy.QueryStrings);
        Assert.Equal(KeyItems.None, shortPolicy.Cookies);
        Assert.Empty(shortPolicy.Headers);
        Assert.True(shortPolicy.Compress);

        Assert.Equal(TimeSpan.FromHours(2), CachePolicy.Resolve("Default", options, distributionOptions).Ttl.Default);
        Assert.Equal(KeyItems.None, CachePolicy.Resolve("CachingOptimized", options, distributionOptions).QueryStrings);
    }

    [Fact]
    public void BehaviorProfile_CarriesItsPolicysTtlAndKeyedHeaders()
    {
        var options = new EdgeOptions();
        options.CachePolicies["Shop"] = new CachePolicyOptions
        {
            Ttl = new TtlOptions { Min = TimeSpan.FromSeconds(5), Default = TimeSpan.FromMinutes(5), Max = TimeSpan.FromHours(1) },
            Headers = ["Accept-Language"],
            Compress = false,
        };
        var distribution = new Distribution("E1", new DistributionOptions { Origin = "http://127.0.0.1:9000/", CachePolicy = "Shop" }, options);

        var profile = distribution.DefaultBehavior.Profile;
        Assert.Equal(TimeSpan.FromMinutes(5), profile.DefaultTtl);
        Assert.Equal(["accept-encoding", "accept-language"], profile.KeyedHeaders);
        Assert.False(profile.Compress);
        Assert.Equal("http://127.0.0.1:9000", profile.BaseUrl);
    }
}

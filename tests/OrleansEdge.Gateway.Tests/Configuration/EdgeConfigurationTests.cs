using Microsoft.Extensions.Configuration;
using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Gateway.Routing;

namespace OrleansEdge.Gateway.Tests.Configuration;

public sealed class EdgeConfigurationTests
{
    private static List<string> Problems(params (string Key, string Value)[] settings) =>
        EdgeConfiguration.Problems(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    [Fact]
    public void UnparsableTimeSpan_ReportedWithItsKey()
    {
        var problem = Assert.Single(Problems(
            ("Edge:Distributions:E1:Origin", "http://127.0.0.1:9"),
            ("Edge:Distributions:E1:Domains:0", "a.test"),
            ("Edge:Distributions:E1:Ttl:Min", "soon")));
        Assert.Contains("Edge:Distributions:E1:Ttl:Min", problem);
    }

    [Fact]
    public void ValidSettings_NoProblems() =>
        Assert.Empty(Problems(("Edge:Distributions:E1:Origin", "http://127.0.0.1:9"), ("Edge:Distributions:E1:Domains:0", "a.test")));

    [Theory]
    [InlineData("Edge:Cluster:AdvertisedAddress", "silo-1.internal", "is not an IP address")]
    [InlineData("Edge:Cluster:SiloPort", "eleven", "Edge:Cluster")]
    [InlineData("Edge:Cluster:GatewayPort", "70000", "is not a TCP port")]
    [InlineData("Edge:Cluster:ObjectIdleLifetime", "00:00:00", "must be positive")]
    public void BadClusterSetting_ReportedWithItsKey(string key, string value, string expected)
    {
        var problem = Assert.Single(Problems(("Edge:Distributions:E1:Origin", "http://127.0.0.1:9"), ("Edge:Distributions:E1:Domains:0", "a.test"), (key, value)));
        Assert.Contains(key.Split(':')[0] + ":" + key.Split(':')[1], problem);
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void Reload_RefusedByTheSameChecksAsStart_AcceptedWhenFixed_OptionsAndRoutesSwappedTogether()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Edge:Distributions:E1:Origin"] = "http://127.0.0.1:9",
            ["Edge:Distributions:E1:Domains:0"] = "a.test",
        }).Build();
        EdgeConfiguration.Read(configuration, out var options);
        using var provider = new RouteTableProvider(Microsoft.Extensions.Options.Options.Create(options!), configuration,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<RouteTableProvider>.Instance);
        var first = provider.Current;

        // A value the binder would skip inside a dictionary entry: start-up refuses it, so the reload does too.
        configuration["Edge:Distributions:E1:Ttl:Min"] = "soon";
        configuration["Edge:Distributions:E1:Domains:0"] = "b.test";
        configuration.Reload();
        Assert.Same(first, provider.Current);
        Assert.NotNull(provider.Current.Match("a.test"));

        configuration["Edge:Distributions:E1:Ttl:Min"] = "00:00:01";
        configuration.Reload();
        Assert.NotSame(first, provider.Current);
        Assert.Same(provider.Current.Options, provider.Options);
        Assert.NotNull(provider.Current.Match("b.test"));
        Assert.Null(provider.Current.Match("a.test"));
    }

    [Fact]
    public void PoliciesAndBehaviors_BindFromEnvironmentStyleKeys()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Edge:Distributions:E1:Origin"] = "http://127.0.0.1:9",
                ["Edge:Distributions:E1:Domains:0"] = "a.test",
                ["Edge:Distributions:E1:Behaviors:0:PathPattern"] = "/api/*",
                ["Edge:Distributions:E1:Behaviors:0:CachePolicy"] = "CachingDisabled",
                ["Edge:Distributions:E1:Behaviors:1:PathPattern"] = "/shop/*",
                ["Edge:Distributions:E1:Behaviors:1:CachePolicy"] = "Shop",
                ["Edge:CachePolicies:Shop:QueryStrings:Behavior"] = "AllExcept",
                ["Edge:CachePolicies:Shop:QueryStrings:Items:0"] = "utm_source",
                ["Edge:CachePolicies:Shop:Cookies:Behavior"] = "Allow",
                ["Edge:CachePolicies:Shop:Cookies:Items:0"] = "session",
                ["Edge:CachePolicies:Shop:Headers:0"] = "Accept-Language",
                ["Edge:CachePolicies:Shop:Ttl:Default"] = "00:05:00",
                ["Edge:CachePolicies:Shop:Compress"] = "false",
            })
            .Build();

        Assert.Empty(EdgeConfiguration.Read(configuration, out var options));
        var distribution = new RouteTable(options!).FindDistribution("E1")!;
        Assert.False(distribution.BehaviorFor("/api/x").Policy.Caches);
        var shop = distribution.BehaviorFor("/shop/x");
        Assert.Equal(KeyItems.AllExcept, shop.Policy.QueryStrings);
        Assert.Equal(["utm_source"], shop.Policy.QueryStringItems);
        Assert.Equal(["session"], shop.Policy.CookieItems);
        Assert.Equal(["accept-language"], shop.Policy.Headers);
        Assert.Equal(TimeSpan.FromMinutes(5), shop.Profile.DefaultTtl);
        Assert.False(shop.Profile.Compress);
    }

    [Fact]
    public void PolicyCompressThatIsNoBoolean_ReportedWithItsKey()
    {
        var problem = Assert.Single(Problems(
            ("Edge:Distributions:E1:Origin", "http://127.0.0.1:9"),
            ("Edge:Distributions:E1:Domains:0", "a.test"),
            ("Edge:CachePolicies:Shop:Compress", "maybe")));
        Assert.Contains("Edge:CachePolicies:Shop:Compress", problem);
    }
}

using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Gateway.Routing;

namespace OrleansEdge.Gateway.Tests.Routing;

public sealed class RouteTableTests
{
    private static RouteTable Table(bool wildcard = false) => new(new EdgeOptions
    {
        Distributions = new(StringComparer.OrdinalIgnoreCase)
        {
            ["E1"] = new DistributionOptions
            {
                Origin = "http://127.0.0.1:9000",
                Domains = ["shop.example"],
                Tenants = new(StringComparer.OrdinalIgnoreCase) { ["t1"] = new TenantOptions { Domains = ["t1.example"] } },
            },
            ["E2"] = new DistributionOptions { Origin = "http://127.0.0.1:9001", Domains = wildcard ? ["*"] : ["other.example"] },
        },
    });

    [Fact]
    public void Host_MatchedIgnoringCase()
    {
        var route = Table().Match("SHOP.Example");
        Assert.Equal("E1", route!.Distribution.Id);
        Assert.Equal("", route.Tenant);
    }

    [Fact]
    public void TenantDomain_RoutesToTenantWithOwnScope()
    {
        var table = Table();
        var tenant = table.Match("t1.example")!;
        Assert.Equal("t1", tenant.Tenant);
        Assert.NotEqual(table.Match("shop.example")!.Scope, tenant.Scope);
    }

    [Fact]
    public void UnknownHost_NoRoute_UnlessWildcard()
    {
        Assert.Null(Table().Match("unknown.example"));
        Assert.Equal("E2", Table(wildcard: true).Match("unknown.example")!.Distribution.Id);
    }

    [Fact]
    public void TagHeaderDisabled_ProfileHasNoTagHeader()
    {
        var options = new EdgeOptions();
        options.Distributions["E1"] = new DistributionOptions { Origin = "http://o/", Domains = ["a"], CacheTags = { Enabled = false } };
        var distribution = new RouteTable(options).FindDistribution("e1")!;
        Assert.Null(distribution.Profile.TagHeader);
        Assert.Equal("http://o", distribution.Profile.BaseUrl);
    }
}

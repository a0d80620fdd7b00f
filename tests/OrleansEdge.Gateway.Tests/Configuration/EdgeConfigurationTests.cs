using Microsoft.Extensions.Configuration;
using OrleansEdge.Gateway.Configuration;

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
}

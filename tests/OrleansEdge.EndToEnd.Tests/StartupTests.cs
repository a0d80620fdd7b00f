using System.Net;
using OrleansEdge.Tests.Shared;

namespace OrleansEdge.EndToEnd.Tests;

/// <summary>Gateways of their own: start-up errors and configuration reload.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task InvalidTagHeaderName_StartFailsWithMessageNamingKey()
    {
        await using var gateway = StartWithOneDistribution("--Edge:Distributions:E1:CacheTags:Header=bad header");
        Assert.Equal(2, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Edge:Distributions:E1:CacheTags:Header", gateway.Output);
        Assert.DoesNotContain("   at ", gateway.Output);
    }

    [Theory]
    [InlineData(null, "does not exist")]
    [InlineData("{ \"Edge\": {", "Could not parse the JSON file")]
    [InlineData("{ \"Edge\": { \"Distributions\": { \"E1\": { \"Ttl\": { \"Min\": \"soon\" } } } } }", "Edge:Distributions:E1:Ttl:Min")]
    public async Task ConfigFileMissingOrBroken_StartFailsWithOneClearLine(string? content, string expected)
    {
        var folder = Directory.CreateTempSubdirectory("orleansedge-config-").FullName;
        var file = Path.Combine(folder, "gateway.json");
        if (content is not null)
        {
            await File.WriteAllTextAsync(file, content);
        }

        await using var gateway = StartWithOneDistribution($"--config={file}");
        Assert.Equal(2, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(expected, gateway.Output);
        Assert.DoesNotContain("   at ", gateway.Output);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task SiloWithHostNameForAddress_StartFailsWithMessageNamingKey()
    {
        await using var silo = EdgeProcess.Start("Silo", ["--Edge:Cluster:AdvertisedAddress=silo-1.internal", "--Edge:Silo:Listen=http://127.0.0.1:0"]);
        Assert.Equal(2, await silo.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Edge:Cluster:AdvertisedAddress: 'silo-1.internal' is not an IP address", silo.Output);
        Assert.DoesNotContain("   at ", silo.Output);
    }

    [Fact]
    public async Task UnparsableTtl_StartFailsWithMessageNamingKey()
    {
        await using var gateway = StartWithOneDistribution("--Edge:Distributions:E1:Ttl:Min=soon");
        Assert.Equal(2, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Edge:Distributions:E1:Ttl:Min", gateway.Output);
    }

    [Fact]
    public async Task TagHeaderChangedByReload_NewHeaderUsed_OldTagsNoLongerReached()
    {
        await using var origin = await TestOrigin.StartAsync();
        var root = Directory.CreateTempSubdirectory("orleansedge-reload-").FullName;
        var settings = Path.Combine(root, "appsettings.json");
        await File.WriteAllTextAsync(settings, Settings(origin, "x-tag-a"));
        var viewer = FreePort.Next();
        var control = FreePort.Next();
        await using var gateway = EdgeProcess.Start("Gateway",
        [
            "--contentRoot", root,
            $"--Edge:Listen:Viewer=http://127.0.0.1:{viewer}",
            $"--Edge:Listen:Control=http://127.0.0.1:{control}",
            $"--Edge:Cluster:SiloPort={FreePort.Next()}",
            $"--Edge:Cluster:GatewayPort={FreePort.Next()}",
        ], contentRoot: root);
        await gateway.WaitReadyAsync($"http://127.0.0.1:{control}/readyz");
        using var http = new HttpClient();

        async Task<string> Get(string target)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{viewer}{target}");
            request.Headers.Host = "reload.test";
            using var response = await http.SendAsync(request);
            return response.Headers.GetValues("X-Cache").Single();
        }

        async Task Purge(string tag)
        {
            using var response = await http.PostAsync($"http://127.0.0.1:{control}/purge/E1", new StringContent($"{{\"tags\":[\"{tag}\"]}}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var old = "/old?tags=shared&tagHeader=x-tag-a";
        await Get(old);
        Assert.Equal("Hit from orleansedge", await Get(old));

        await File.WriteAllTextAsync(settings, Settings(origin, "x-tag-b"));

        // Bounded poll until the reload shows: an object tagged under the new header is reached by its tag.
        var applied = false;
        for (var i = 0; i < 50 && !applied; i++)
        {
            var probe = $"/probe{i}?tags=p{i}&tagHeader=x-tag-b";
            await Get(probe);
            await Purge($"p{i}");
            applied = await Get(probe) == "Miss from orleansedge";
            if (!applied)
            {
                await Task.Delay(200);
            }
        }

        Assert.True(applied, "the new tag header never took effect");
        await Purge("shared");
        Assert.Equal("Hit from orleansedge", await Get(old));
        Directory.Delete(root, recursive: true);
    }

    private static EdgeProcess StartWithOneDistribution(string setting) => EdgeProcess.Start("Gateway",
    [
        $"--Edge:Listen:Viewer=http://127.0.0.1:{FreePort.Next()}",
        $"--Edge:Listen:Control=http://127.0.0.1:{FreePort.Next()}",
        "--Edge:Distributions:E1:Origin=http://127.0.0.1:9",
        "--Edge:Distributions:E1:Domains:0=a.test",
        setting,
    ]);

    private static string Settings(TestOrigin origin, string header) => $$"""
        {
          "Logging": { "LogLevel": { "Default": "Warning" } },
          "Edge": {
            "Distributions": {
              "E1": {
                "Origin": "{{origin.BaseUrl}}",
                "Domains": [ "reload.test" ],
                "CacheTags": { "Header": "{{header}}" }
              }
            }
          }
        }
        """;
}

using System.Diagnostics;
using System.Net;
using OrleansEdge.Tests.Shared;

namespace OrleansEdge.EndToEnd.Tests;

/// <summary>
/// The published programs (<c>dotnet publish -p:PublishProfile=linux</c>), run as the README's multi-host lines and
/// the deployment files run them: from another working directory, the gateway's distributions in a <c>--config</c> file.
/// </summary>
public sealed class PublishedProgramsTests
{
    [Fact]
    public async Task PublishedSiloAndGateway_StartedFromElsewhere_ServeAndStopCleanly()
    {
        var silo = await PublishedAsync("Silo");
        var gatewayDll = await PublishedAsync("Gateway");
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        var elsewhere = Directory.CreateTempSubdirectory("orleansedge-published-").FullName;
        var config = Path.Combine(elsewhere, "gateway.json");
        await File.WriteAllTextAsync(config, $$"""
            { "Edge": { "Distributions": { "E1PUB": { "Origin": "{{origin.BaseUrl}}", "Domains": [ "published.test" ] } } } }
            """);
        var cluster = "pub-" + Guid.NewGuid().ToString("N")[..8];
        string[] common = [$"--ConnectionStrings:Redis={redis.ConnectionString}", $"--Edge:Cluster:ClusterId={cluster}", $"--Edge:Cluster:ServiceId={cluster}"];
        var metrics = $"http://127.0.0.1:{FreePort.Next()}";
        var viewer = $"http://127.0.0.1:{FreePort.Next()}";
        var control = $"http://127.0.0.1:{FreePort.Next()}";

        await using var siloProcess = EdgeProcess.Run("dotnet",
            [silo, .. common, $"--Edge:Cluster:SiloPort={FreePort.Next()}", $"--Edge:Cluster:GatewayPort={FreePort.Next()}", $"--Edge:Silo:Listen={metrics}"], elsewhere);
        await siloProcess.WaitReadyAsync($"{metrics}/healthz");
        await using var gateway = EdgeProcess.Run("dotnet",
            [gatewayDll, "--config", config, .. common, $"--Edge:Listen:Viewer={viewer}", $"--Edge:Listen:Control={control}"], elsewhere);
        await gateway.WaitReadyAsync($"{control}/readyz");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        async Task<string> XCache()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{viewer}/published?tags=pub");
            request.Headers.Host = "published.test";
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return response.Headers.GetValues("X-Cache").Single();
        }

        Assert.Equal("Miss from orleansedge", await XCache());
        Assert.Equal("Hit from orleansedge", await XCache());

        // Each read the appsettings.json beside it, not one in the working directory: the silo's origin requests are
        // not logged one by one (its own file says so), and the banner names the file's distributions.
        Assert.Contains("E1PUB: published.test", gateway.Output);
        Assert.DoesNotContain("Start processing HTTP request", siloProcess.Output);

        gateway.Terminate();
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        siloProcess.Terminate();
        Assert.Equal(0, await siloProcess.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Directory.Delete(elsewhere, recursive: true);
    }

    /// <summary>
    /// The program's published entry point: scripts/test.sh publishes before the tests run; run alone, the test
    /// publishes with the same profile itself.
    /// </summary>
    private static async Task<string> PublishedAsync(string program)
    {
        var dll = Path.Combine(EdgeProcess.RepositoryRoot, "artifacts", "publish", $"OrleansEdge.{program}", $"OrleansEdge.{program}.dll");
        if (!File.Exists(dll))
        {
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = EdgeProcess.RepositoryRoot, UseShellExecute = false };
            foreach (var argument in new[] { "publish", program, "-p:PublishProfile=linux", "-nologo", "-clp:ErrorsOnly" })
            {
                start.ArgumentList.Add(argument);
            }

            using var publish = Process.Start(start)!;
            await publish.WaitForExitAsync();
            Assert.Equal(0, publish.ExitCode);
        }

        Assert.True(File.Exists(dll), $"{dll} is missing after publishing");
        return dll;
    }
}

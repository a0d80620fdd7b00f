using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansEdge.Tests.Shared;

namespace OrleansEdge.EndToEnd.Tests;

/// <summary>
/// What an operator reads on the console: a banner saying what runs where, a line per invalidation completed and per
/// node joining or leaving, and nothing alarming (no failure, no stack trace) when the edge simply starts and stops.
/// </summary>
public sealed partial class OperatorLogTests
{
    private const string Token = "log-purge-token";

    [Fact]
    public async Task Embedded_StartedPurgedAndStoppedWithCtrlC_LogSaysWhatHappenedAndNothingAlarming()
    {
        await using var origin = await TestOrigin.StartAsync();
        var viewer = $"http://127.0.0.1:{FreePort.Next()}";
        var control = $"http://127.0.0.1:{FreePort.Next()}";
        await using var gateway = EdgeProcess.Start("Gateway",
        [
            $"--Edge:Listen:Viewer={viewer}", $"--Edge:Listen:Control={control}",
            $"--Edge:Cluster:SiloPort={FreePort.Next()}", $"--Edge:Cluster:GatewayPort={FreePort.Next()}",
            $"--Edge:PurgeToken={Token}",
            $"--Edge:Distributions:E1LOG:Origin={origin.BaseUrl}", "--Edge:Distributions:E1LOG:Domains:0=log.test",
        ]);
        await gateway.WaitReadyAsync($"{control}/readyz");
        var id = await FetchAndPurgeAsync(viewer, control, "E1LOG", "log.test");
        await WaitForLineAsync(gateway, "Application started");

        gateway.Interrupt();
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var log = gateway.Output;
        Assert.Contains("OrleansEdge gateway", log);
        Assert.Contains("embedded", log);
        Assert.Contains(viewer, log);
        Assert.Contains(control, log);
        Assert.Contains($"E1LOG: log.test -> {origin.BaseUrl}", log);
        Assert.Contains($"Invalidation {id} of E1LOG completed: #logged", log);

        // The embedded edge has no lease to hand back (its hits read its own silo's copies): the stop itself is logged.
        Assert.Contains("Application is shutting down", log);
        AssertNothingAlarming("the embedded gateway", log);
    }

    [Fact]
    public async Task Cluster_StartedPurgedAndStoppedBySupervisor_EachProcessSaysWhatHappenedAndNothingAlarming()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        var cluster = "log-" + Guid.NewGuid().ToString("N")[..8];
        string[] common = [$"--ConnectionStrings:Redis={redis.ConnectionString}", $"--Edge:Cluster:ClusterId={cluster}", $"--Edge:Cluster:ServiceId={cluster}"];
        var metrics = new[] { $"http://127.0.0.1:{FreePort.Next()}", $"http://127.0.0.1:{FreePort.Next()}" };
        var silos = metrics.Select(listen => EdgeProcess.Start("Silo",
        [
            .. common, $"--Edge:Cluster:SiloPort={FreePort.Next()}", $"--Edge:Cluster:GatewayPort={FreePort.Next()}", $"--Edge:Silo:Listen={listen}",
        ])).ToList();
        var viewer = $"http://127.0.0.1:{FreePort.Next()}";
        var control = $"http://127.0.0.1:{FreePort.Next()}";
        EdgeProcess? gateway = null;
        try
        {
            foreach (var (silo, listen) in silos.Zip(metrics))
            {
                await silo.WaitReadyAsync($"{listen}/healthz");
            }

            gateway = EdgeProcess.Start("Gateway",
            [
                .. common, $"--Edge:Listen:Viewer={viewer}", $"--Edge:Listen:Control={control}", $"--Edge:PurgeToken={Token}",
                $"--Edge:Distributions:E1LOG:Origin={origin.BaseUrl}", "--Edge:Distributions:E1LOG:Domains:0=log.test",
            ]);
            await gateway.WaitReadyAsync($"{control}/readyz");
            var id = await FetchAndPurgeAsync(viewer, control, "E1LOG", "log.test");
            await WaitForLineAsync(gateway, "registered with the cluster");

            // As a supervisor stops a deployment: gateways first, then silos one by one.
            foreach (var process in (EdgeProcess[])[gateway, .. silos])
            {
                process.Terminate();
                Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            }

            Assert.Contains("cluster mode", gateway.Output);
            Assert.Contains(control, gateway.Output);
            Assert.Contains(redis.ConnectionString, gateway.Output);
            AssertNothingAlarming("the gateway", gateway.Output);
            for (var i = 0; i < silos.Count; i++)
            {
                var log = silos[i].Output;
                Assert.Contains("OrleansEdge silo", log);
                Assert.Contains(metrics[i], log);
                Assert.Contains(cluster, log);
                Assert.Matches(JoinedLine(), log);
                AssertNothingAlarming($"silo {i}", log);
            }

            // Whichever silo ran them says so: the invalidation, and the gateway's coming and going.
            var silosLog = string.Concat(silos.Select(s => s.Output));
            Assert.Contains($"Invalidation {id} of E1LOG completed: #logged", silosLog);
            Assert.Contains("registered; 1 gateway(s) hold copies", silosLog);
            Assert.Contains("left; 0 gateway(s) hold copies", silosLog);

            // The second silo saw the first one leave before it stopped itself.
            Assert.Contains("left the cluster", silos[1].Output);
        }
        finally
        {
            if (gateway is not null)
            {
                await gateway.DisposeAsync();
            }

            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task JsonConsoleLogs_SelectedByConfiguration_EveryLineIsOneJsonObject()
    {
        await using var origin = await TestOrigin.StartAsync();
        var control = $"http://127.0.0.1:{FreePort.Next()}";
        await using var gateway = EdgeProcess.Start("Gateway",
        [
            $"--Edge:Listen:Viewer=http://127.0.0.1:{FreePort.Next()}", $"--Edge:Listen:Control={control}",
            $"--Edge:Cluster:SiloPort={FreePort.Next()}", $"--Edge:Cluster:GatewayPort={FreePort.Next()}",
            $"--Edge:Distributions:E1LOG:Origin={origin.BaseUrl}", "--Edge:Distributions:E1LOG:Domains:0=log.test",
            "--Logging:Console:FormatterName=json",
        ]);
        await gateway.WaitReadyAsync($"{control}/readyz");
        await WaitForLineAsync(gateway, "Application started");
        gateway.Terminate();
        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        var lines = gateway.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        var messages = lines.Select(line =>
        {
            using var entry = JsonDocument.Parse(line);
            return (Level: entry.RootElement.GetProperty("LogLevel").GetString(), Category: entry.RootElement.GetProperty("Category").GetString(),
                Message: entry.RootElement.GetProperty("Message").GetString());
        }).ToList();
        Assert.Contains(messages, m => m.Category!.EndsWith("StartupBanner", StringComparison.Ordinal) && m.Message!.Contains(control, StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Level is "Error" or "Critical");
    }

    /// <summary>A purge of the tag <c>logged</c> after one tagged object was cached; returns the invalidation's id.</summary>
    private static async Task<string> FetchAndPurgeAsync(string viewer, string control, string distribution, string host)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{viewer}/logged/{Guid.NewGuid():N}?tags=logged");
        request.Headers.Host = host;
        using var fetched = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);

        using var purge = new HttpRequestMessage(HttpMethod.Post, $"{control}/purge/{distribution}")
        {
            Content = new StringContent("""{"tags":["logged"]}""", Encoding.UTF8, "application/json"),
        };
        purge.Headers.Authorization = new("Bearer", Token);
        using var purged = await http.SendAsync(purge);
        var body = await purged.Content.ReadAsStringAsync();
        Assert.True(purged.IsSuccessStatusCode, body);
        using var answer = JsonDocument.Parse(body);
        return answer.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Lines are written a moment after what they describe happened; bounded poll.</summary>
    private static async Task WaitForLineAsync(EdgeProcess process, string text)
    {
        for (var i = 0; i < 300 && !process.Output.Contains(text, StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
        }

        Assert.Contains(text, process.Output);
    }

    private static void AssertNothingAlarming(string who, string log)
    {
        var alarming = log.Split('\n').Where(line => AlarmingLine().IsMatch(line)).ToList();
        Assert.True(alarming.Count == 0, $"{who} logged something alarming on a normal start and stop:\n{string.Join('\n', alarming)}\n--- whole log ---\n{log}");
    }

    /// <summary>A failure or critical entry, or any line of a stack trace.</summary>
    [GeneratedRegex(@"^(fail|crit):|^\s+at \S+|--- End of stack trace|Unhandled exception", RegexOptions.CultureInvariant)]
    private static partial Regex AlarmingLine();

    [GeneratedRegex(@"Silo S127\.0\.0\.1:\d+:\d+ joined the cluster")]
    private static partial Regex JoinedLine();
}

using System.Diagnostics;
using System.Net;
using OrleansEdge.Tests.Shared;

namespace OrleansEdge.EndToEnd.Tests;

/// <summary>Real processes in cluster mode: Redis, two silos and gateways that each keep copies in their own memory.</summary>
public sealed class NearCacheClusterTests : IAsyncLifetime
{
    private readonly string _clusterId = "near-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<EdgeProcess> _processes = [];
    private RedisServer _redis = null!;
    private TestOrigin _origin = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        // Its own Redis, with an append-only file: one test kills and restarts it.
        _redis = await RedisServer.StartPrivateAsync(durable: true);
        _origin = await TestOrigin.StartAsync();
        for (var i = 0; i < 2; i++)
        {
            await StartSiloAsync();
        }
    }

    /// <summary>Starts a silo and waits until it is active: its HTTP side opens only once it has joined.</summary>
    private async Task<EdgeProcess> StartSiloAsync()
    {
        var listen = $"http://127.0.0.1:{FreePort.Next()}";
        var silo = EdgeProcess.Start("Silo",
        [
            $"--ConnectionStrings:Redis={_redis.ConnectionString}", $"--Edge:Cluster:ClusterId={_clusterId}", $"--Edge:Cluster:ServiceId={_clusterId}",
            $"--Edge:Cluster:SiloPort={FreePort.Next()}", $"--Edge:Cluster:GatewayPort={FreePort.Next()}", $"--Edge:Silo:Listen={listen}",
        ]);
        _processes.Add(silo);
        await silo.WaitReadyAsync($"{listen}/healthz");
        return silo;
    }

    public async Task DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes))
        {
            await process.DisposeAsync();
        }

        await _origin.DisposeAsync();
        await _redis.DisposeAsync();
        _http.Dispose();
    }

    /// <summary>Starts a gateway, on the ports of <paramref name="replacing"/> when it takes a dead one's place.</summary>
    private async Task<Gateway> StartGatewayAsync(Gateway? replacing = null, params string[] extra)
    {
        var gateway = replacing is null ? new Gateway(FreePort.Next(), FreePort.Next()) : new Gateway(replacing.ViewerPort, replacing.ControlPort);
        var process = EdgeProcess.Start("Gateway",
        [
            $"--ConnectionStrings:Redis={_redis.ConnectionString}", $"--Edge:Cluster:ClusterId={_clusterId}", $"--Edge:Cluster:ServiceId={_clusterId}",
            $"--Edge:Listen:Viewer=http://127.0.0.1:{gateway.ViewerPort}", $"--Edge:Listen:Control=http://127.0.0.1:{gateway.ControlPort}",
            $"--Edge:Distributions:E1:Origin={_origin.BaseUrl}", "--Edge:Distributions:E1:Domains:0=near.test", .. extra,
        ]);
        _processes.Add(process);
        gateway.Process = process;
        await process.WaitReadyAsync($"http://127.0.0.1:{gateway.ControlPort}/readyz");

        // Local copies are served once the gateway holds a lease: wait until a hit no longer reaches the cluster.
        for (var i = 0; i < 100; i++)
        {
            var probe = $"/lease-probe/{Guid.NewGuid():N}";
            await XCacheAsync(gateway, probe);
            await XCacheAsync(gateway, probe);
            if (await LocalCopiesAsync(gateway) > 0)
            {
                return gateway;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("the gateway never held local copies");
    }

    /// <summary>
    /// Waits until the edge has taken in a change of its silos: <paramref name="first"/> keeps the copies it fetches
    /// (it holds a lease again) and <paramref name="second"/> finds them at the same home (both gateways and the silos
    /// rank the silos alike).
    /// </summary>
    private async Task WaitUntilSettledAsync(Gateway first, Gateway second)
    {
        var last = "";
        for (var i = 0; i < 150; i++)
        {
            var probe = $"/settle-probe/{Guid.NewGuid():N}";
            var held = await LocalCopiesAsync(first);
            var firstAnswer = await XCacheAsync(first, probe);
            var secondAnswer = await XCacheAsync(second, probe);

            // The exporter answers a scrape from its last one for 300 ms.
            await Task.Delay(400);
            var kept = await LocalCopiesAsync(first) > held;
            if (secondAnswer == "Hit from orleansedge" && kept && _origin.Requests(probe) == 1)
            {
                return;
            }

            last = $"{firstAnswer}, then {secondAnswer} from the other gateway; copy kept: {kept}; origin asked {_origin.Requests(probe)} times";
        }

        throw new TimeoutException($"the edge never settled after its silos changed (last probe: {last}); the first gateway said:\n{first.Process.Output}");
    }

    private async Task<string> XCacheAsync(Gateway gateway, string target)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gateway.ViewerPort}{target}");
        request.Headers.Host = "near.test";
        using var response = await _http.SendAsync(request);
        return response.Headers.GetValues("X-Cache").Single();
    }

    private async Task<HttpStatusCode> StatusAsync(Gateway gateway, string target)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gateway.ViewerPort}{target}");
        request.Headers.Host = "near.test";
        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<double> LocalCopiesAsync(Gateway gateway)
    {
        var metrics = await _http.GetStringAsync($"http://127.0.0.1:{gateway.ControlPort}/metrics");
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("orleansedge_gateway_cache_objects", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<HttpResponseMessage> PurgeAsync(Gateway gateway, string tag) =>
        await _http.PostAsync($"http://127.0.0.1:{gateway.ControlPort}/purge/E1", new StringContent($"{{\"tags\":[\"{tag}\"]}}"));

    /// <summary>
    /// Purges through one gateway, then checks that the object comes back from the origin once, fetched for
    /// whichever gateway asks first and then held by both.
    /// </summary>
    private async Task PurgeAndExpectOneRefetchAsync(Gateway through, string tag, string target, Gateway first, Gateway second)
    {
        using (var purge = await PurgeAsync(through, tag))
        {
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        }

        await ExpectOneRefetchAsync(target, first, second);
    }

    private async Task ExpectOneRefetchAsync(string target, Gateway first, Gateway second)
    {
        var fetched = _origin.Requests(target);
        Assert.Equal("Miss from orleansedge", await XCacheAsync(first, target));
        Assert.Equal("Hit from orleansedge", await XCacheAsync(first, target));
        Assert.Equal("Hit from orleansedge", await XCacheAsync(second, target));
        Assert.Equal(fetched + 1, _origin.Requests(target));
    }

    [Fact]
    public async Task HitOnBothGateways_OnePurge_MissOnBoth()
    {
        var a = await StartGatewayAsync();
        var b = await StartGatewayAsync();
        var tag = $"near-{Guid.NewGuid():N}";
        var target = $"/near/{Guid.NewGuid():N}?tags={tag}";

        Assert.Equal("Miss from orleansedge", await XCacheAsync(a, target));
        Assert.Equal("Hit from orleansedge", await XCacheAsync(a, target));
        Assert.Equal("Hit from orleansedge", await XCacheAsync(b, target));
        Assert.Equal("Hit from orleansedge", await XCacheAsync(b, target));
        var origin = _origin.Requests(target);
        for (var i = 0; i < 20; i++)
        {
            await XCacheAsync(a, target);
            await XCacheAsync(b, target);
        }

        Assert.Equal(1, origin);
        Assert.Equal(1, _origin.Requests(target));
        await PurgeAndExpectOneRefetchAsync(through: b, tag, target, first: a, second: b);
    }

    [Fact]
    public async Task BodyTooLargeToStore_RelayedFromTheSiloThatFetchedIt_WholeAndInOrder_OriginAskedOnce()
    {
        var gateway = await StartGatewayAsync(extra: "--Edge:Distributions:E1:MaxBodyBytes=100000");
        foreach (var shape in new[] { "", "&chunked=1" })
        {
            var target = $"/relay/{Guid.NewGuid():N}?seq=1&size=2000000{shape}";
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gateway.ViewerPort}{target}");
            request.Headers.Host = "near.test";
            using var response = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(TestOrigin.Sequence(2_000_000), await response.Content.ReadAsStringAsync());
            Assert.Equal(1, _origin.Requests(target));
        }
    }

    [Fact]
    public async Task KilledGateway_InvalidationCompletesWhenItsLeaseRunsOut_SurvivorsMiss()
    {
        var a = await StartGatewayAsync();
        var doomed = await StartGatewayAsync();
        var tag = $"kill-{Guid.NewGuid():N}";
        var target = $"/kill/{Guid.NewGuid():N}?tags={tag}";
        await XCacheAsync(a, target);
        await XCacheAsync(doomed, target);
        Assert.Equal("Hit from orleansedge", await XCacheAsync(a, target));

        await doomed.Process.KillAsync();
        var clock = Stopwatch.StartNew();
        using (var purge = await PurgeAsync(a, tag))
        {
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        }

        // Completed waited for the dead gateway only as long as its lease could still run.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.Equal("Miss from orleansedge", await XCacheAsync(a, target));
    }

    [Fact]
    public async Task KilledGateway_RestartedOnItsPorts_RejoinsAndHearsTheNextPurge()
    {
        var a = await StartGatewayAsync();
        var b = await StartGatewayAsync();
        var tag = $"rejoin-{Guid.NewGuid():N}";
        var target = $"/rejoin/{Guid.NewGuid():N}?tags={tag}";
        Assert.Equal("Miss from orleansedge", await XCacheAsync(a, target));
        Assert.Equal("Hit from orleansedge", await XCacheAsync(b, target));

        await a.Process.KillAsync();
        var restarted = await StartGatewayAsync(replacing: a);

        // The restarted gateway starts empty, takes the object from the cluster, and then holds it itself.
        Assert.Equal("Hit from orleansedge", await XCacheAsync(restarted, target));
        Assert.Equal("Hit from orleansedge", await XCacheAsync(restarted, target));
        Assert.Equal(1, _origin.Requests(target));

        // A purge through the other gateway reaches it: it registered again, under its new identity.
        await PurgeAndExpectOneRefetchAsync(through: b, tag, target, first: restarted, second: b);
    }

    [Fact]
    public async Task RedisKilledAndRestarted_ViewersAnsweredThroughout_PurgeSentDuringOutageCompletes()
    {
        var a = await StartGatewayAsync();
        var b = await StartGatewayAsync();
        var tag = $"redis-{Guid.NewGuid():N}";
        var target = $"/redis/{Guid.NewGuid():N}?tags={tag}";
        Assert.Equal("Miss from orleansedge", await XCacheAsync(a, target));
        Assert.Equal("Hit from orleansedge", await XCacheAsync(b, target));

        // While Redis is down, viewers are answered: known objects from copies, new ones from the origin.
        await _redis.StopAsync();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("Hit from orleansedge", await XCacheAsync(a, target));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(b, $"/redis-down/{Guid.NewGuid():N}"));
            await Task.Delay(200);
        }

        // A purge cannot be recorded durably yet: it waits for Redis (within the purge timeout) and completes
        // once Redis is back and the silos have reconnected, reaching both gateways.
        var purgeDuringOutage = PurgeAsync(a, tag);
        await _redis.RestartAsync(TimeSpan.FromSeconds(1));
        using (var purge = await purgeDuringOutage)
        {
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        }

        // Nothing the outage interrupted is left half done: objects are cached again, and purged again.
        await ExpectOneRefetchAsync(target, first: b, second: a);
        await PurgeAndExpectOneRefetchAsync(through: b, tag, target, first: a, second: b);
    }

    [Fact]
    public async Task RegistrySiloKilled_PurgesStillReachBothGateways()
    {
        var a = await StartGatewayAsync();
        var b = await StartGatewayAsync();
        var silos = new Queue<EdgeProcess>(_processes.Take(2));

        // The registry holding the gateways' subscriptions lives on one of the two silos. Killing one, then
        // adding a third and killing the other, kills the registry's silo for certain; after each death a
        // purge must still reach both gateways, through the registry's next activation.
        for (var round = 0; round < 2; round++)
        {
            var tag = $"registry-{round}-{Guid.NewGuid():N}";
            var target = $"/registry/{Guid.NewGuid():N}?tags={tag}";
            Assert.Equal("Miss from orleansedge", await XCacheAsync(a, target));
            Assert.Equal("Hit from orleansedge", await XCacheAsync(b, target));

            await silos.Dequeue().KillAsync();
            if (round == 0)
            {
                silos.Enqueue(await StartSiloAsync());
            }

            // The purge is sent while the cluster still changes; what it dropped must stay dropped however long that
            // takes. Only how many times the origin is asked afterwards waits for the edge to have settled: while a
            // silo's death or arrival is still being learnt, two gateways may send one key to two homes, each fetching.
            using (var purge = await PurgeAsync(a, tag))
            {
                Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
            }

            var fetched = _origin.Requests(target);
            Assert.False((await BodyAsync(b, target)).EndsWith($" #{fetched}", StringComparison.Ordinal), "the purged copy was served");
            Assert.False((await BodyAsync(a, target)).EndsWith($" #{fetched}", StringComparison.Ordinal), "the purged copy was served");
            await WaitUntilSettledAsync(b, a);
            using (var purge = await PurgeAsync(a, tag))
            {
                Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
            }

            await ExpectOneRefetchAsync(target, first: b, second: a);
        }
    }

    [Fact]
    public async Task SiloKilled_ViewersStillAnswered_NeverA5xxFromTheCluster()
    {
        var gateway = await StartGatewayAsync();
        var targets = Enumerable.Range(0, 40).Select(i => $"/survive/{Guid.NewGuid():N}/{i}").ToArray();
        foreach (var target in targets)
        {
            await XCacheAsync(gateway, target);
        }

        await _processes[1].KillAsync();

        // Known objects (some lived on the dead silo) and new ones, right after the kill, before the
        // cluster has declared the silo dead: every answer comes from a copy, a grain or the origin.
        foreach (var target in targets.Concat(Enumerable.Range(0, 40).Select(i => $"/after/{Guid.NewGuid():N}/{i}")))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gateway.ViewerPort}{target}");
            request.Headers.Host = "near.test";
            using var response = await _http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private async Task<string> BodyAsync(Gateway gateway, string target)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gateway.ViewerPort}{target}");
        request.Headers.Host = "near.test";
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task GatewayStalledPastItsLease_InvalidationCompletedMeanwhile_NoOldCopyServedAfterResume()
    {
        var stalled = await StartGatewayAsync();
        var other = await StartGatewayAsync();
        var tag = $"stall-{Guid.NewGuid():N}";
        var targets = Enumerable.Range(0, 5).Select(i => $"/stall/{Guid.NewGuid():N}/{i}?tags={tag}").ToArray();
        foreach (var target in targets)
        {
            Assert.EndsWith("#1", await BodyAsync(stalled, target));
            Assert.Equal("Hit from orleansedge", await XCacheAsync(stalled, target));
        }

        // Frozen past its 15 s lease: the purge completes without it, as designed.
        stalled.Process.Freeze();
        try
        {
            using var purge = await PurgeAsync(other, tag);
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        }
        finally
        {
            stalled.Process.Thaw();
        }

        // From the first request after it resumes (before and after its first renewal), nothing fetched before the purge.
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(8))
        {
            foreach (var target in targets)
            {
                Assert.DoesNotMatch("#1$", await BodyAsync(stalled, target));
            }
        }

        Assert.Contains("lease had lapsed", stalled.Process.Output);
    }

    [Fact]
    public async Task GatewayStalledShorterThanItsLease_KeepsServingItsCopies()
    {
        var gateway = await StartGatewayAsync();
        var target = $"/short-stall/{Guid.NewGuid():N}";
        await XCacheAsync(gateway, target);
        Assert.Equal("Hit from orleansedge", await XCacheAsync(gateway, target));

        gateway.Process.Freeze();
        await Task.Delay(TimeSpan.FromSeconds(5));
        gateway.Process.Thaw();

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("Hit from orleansedge", await XCacheAsync(gateway, target));
            await Task.Delay(500);
        }

        Assert.Equal(1, _origin.Requests(target));
        Assert.DoesNotContain("lease had lapsed", gateway.Process.Output);
    }

    [Fact]
    public async Task LookupsInFlightAtASiloKill_AnsweredWithinTheOriginTimeout()
    {
        var gateway = await StartGatewayAsync(extra: "--Edge:Distributions:E1:OriginTimeout=00:00:10");
        var targets = Enumerable.Range(0, 30).Select(i => $"/in-flight-kill/{Guid.NewGuid():N}/{i}?delay=1500").ToArray();
        var timed = targets.Select(async target =>
        {
            var watch = Stopwatch.StartNew();
            var status = await StatusAsync(gateway, target);
            return (status, watch.Elapsed);
        }).ToArray();
        await Task.WhenAll(targets.Select(target => _origin.Arrived(target))).WaitAsync(TimeSpan.FromSeconds(30));

        // Some of the 30 objects live on this silo, their fetches in flight.
        await _processes[1].KillAsync();
        foreach (var (status, elapsed) in await Task.WhenAll(timed))
        {
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(elapsed < TimeSpan.FromSeconds(10), $"a viewer waited {elapsed.TotalSeconds:0.0} s");
        }
    }

    [Fact]
    public async Task SiloStalledPastFailureDetection_DeclaredDead_ExitsWithAClearLine()
    {
        var stalled = _processes[1];
        var watch = Stopwatch.StartNew();
        stalled.Freeze();
        try
        {
            // Declared dead in the membership table (Status 6), measured: this is what the README reports.
            while (!await DeclaredDeadAsync())
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(90), "the stalled silo was never declared dead");
                await Task.Delay(500);
            }
        }
        finally
        {
            stalled.Thaw();
        }

        Console.WriteLine($"stalled silo declared dead after {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(70, await stalled.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("declared dead by the cluster", stalled.Output);
    }

    private async Task<bool> DeclaredDeadAsync()
    {
        var port = _redis.ConnectionString[(_redis.ConnectionString.LastIndexOf(':') + 1)..];
        await using var cli = EdgeProcess.Run("redis-cli", ["-p", port, "HGETALL", $"{_clusterId}/members/{_clusterId}"]);
        await cli.WaitForExitAsync(TimeSpan.FromSeconds(10));
        return cli.Output.Contains("\"Status\":6", StringComparison.Ordinal);
    }

    private sealed class Gateway(int viewerPort, int controlPort)
    {
        public int ViewerPort { get; } = viewerPort;
        public int ControlPort { get; } = controlPort;
        public EdgeProcess Process { get; set; } = null!;
    }
}

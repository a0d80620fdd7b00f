using System.Net;
using System.Text;
using System.Xml.Linq;
using OrleansEdge.Tests.Shared;

namespace OrleansEdge.EndToEnd.Tests;

/// <summary>Cluster mode with real processes: a Redis server, a Silo and a Gateway that finds it through Redis.</summary>
public sealed class ClusterRestartTests
{
    private static readonly XNamespace Ns = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

    [Fact]
    public async Task InvalidationRecords_SurviveRestartOfEveryProcess()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        var cluster = new Cluster(redis.ConnectionString, origin);
        using var http = new HttpClient();

        string id, createTime;
        var target = $"/durable/{Guid.NewGuid():N}?tags=durable";
        await using (var silo = cluster.StartSilo())
        await using (var gateway = cluster.StartGateway())
        {
            await gateway.WaitReadyAsync($"{cluster.Control}/readyz");
            Assert.Equal("Miss from orleansedge", await cluster.XCacheAsync(http, target));
            Assert.Equal("Hit from orleansedge", await cluster.XCacheAsync(http, target));

            var batch = $"<InvalidationBatch xmlns=\"{Ns}\"><CallerReference>restart</CallerReference><Paths><Quantity>1</Quantity><Items><Path>#durable</Path></Items></Paths></InvalidationBatch>";
            using var created = await http.PostAsync($"{cluster.Control}/2020-05-31/distribution/E1/invalidation", new StringContent(batch, Encoding.UTF8));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var invalidation = XElement.Parse(await created.Content.ReadAsStringAsync());
            id = invalidation.Element(Ns + "Id")!.Value;
            createTime = invalidation.Element(Ns + "CreateTime")!.Value;
            Assert.Equal("Completed", await cluster.StatusAsync(http, id, waitForCompleted: true));
            Assert.Equal("Miss from orleansedge", await cluster.XCacheAsync(http, target));

            // Both die without a chance to flush anything.
            await gateway.KillAsync();
            await silo.KillAsync();
        }

        await using (var silo = cluster.StartSilo())
        await using (var gateway = cluster.StartGateway())
        {
            await gateway.WaitReadyAsync($"{cluster.Control}/readyz");
            using var get = await http.GetAsync($"{cluster.Control}/2020-05-31/distribution/E1/invalidation/{id}");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            var invalidation = XElement.Parse(await get.Content.ReadAsStringAsync());
            Assert.Equal("Completed", invalidation.Element(Ns + "Status")!.Value);
            Assert.Equal(createTime, invalidation.Element(Ns + "CreateTime")!.Value);
            Assert.Equal("#durable", invalidation.Descendants(Ns + "Path").Single().Value);

            using var list = await http.GetAsync($"{cluster.Control}/2020-05-31/distribution/E1/invalidation");
            Assert.Contains(id, XElement.Parse(await list.Content.ReadAsStringAsync()).Descendants(Ns + "Id").Select(e => e.Value));

            // The caller reference is remembered too: the same batch again is the same invalidation.
            var batch = $"<InvalidationBatch xmlns=\"{Ns}\"><CallerReference>restart</CallerReference><Paths><Quantity>1</Quantity><Items><Path>#durable</Path></Items></Paths></InvalidationBatch>";
            using var again = await http.PostAsync($"{cluster.Control}/2020-05-31/distribution/E1/invalidation", new StringContent(batch, Encoding.UTF8));
            Assert.Equal(id, XElement.Parse(await again.Content.ReadAsStringAsync()).Element(Ns + "Id")!.Value);
        }
    }

    [Fact]
    public async Task ConsoleSettings_ReachTheOtherGatewayWithinASecond_AndSurviveRestartOfEveryProcess()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var origin = await TestOrigin.StartAsync();
        var cluster = new Cluster(redis.ConnectionString, origin);
        using var http = new HttpClient();

        await using (var silo = cluster.StartSilo())
        await using (var first = cluster.StartGateway())
        await using (var second = cluster.StartGateway(1))
        {
            await first.WaitReadyAsync($"{cluster.Control}/readyz");
            await second.WaitReadyAsync($"{cluster.ControlOf(1)}/readyz");
            Assert.Contains("x-amz-meta-cache-tag", await http.GetStringAsync($"{cluster.Control}/console/distributions/E1"));

            // Saved on the first gateway's console (a page's own form, with its CSRF token and session cookie) ...
            using var console = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
            var form = await console.GetStringAsync($"{cluster.Control}/console/distributions/E1/settings");
            var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"_csrf\" value=\"([^\"]+)\"").Groups[1].Value;
            using var saved = await console.PostAsync($"{cluster.Control}/console/distributions/E1/settings", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_csrf"] = token, ["enabled"] = "true", ["header"] = "x-cluster-tags", ["action"] = "save",
            }));
            Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
            var savedAt = System.Diagnostics.Stopwatch.GetTimestamp();

            // ... served by the second within a second (polled, bounded; the figure is for the record, not asserted).
            var page = "";
            for (var i = 0; i < 100 && !page.Contains("x-cluster-tags", StringComparison.Ordinal); i++)
            {
                await Task.Delay(50);
                page = await http.GetStringAsync($"{cluster.ControlOf(1)}/console/distributions/E1");
            }

            Assert.Contains("x-cluster-tags", page);
            Assert.Contains("Override", page);
            Console.WriteLine($"Settings reached the second gateway in {System.Diagnostics.Stopwatch.GetElapsedTime(savedAt).TotalMilliseconds:0} ms");

            // Objects tagged under the new header are reached by its tags on either gateway.
            var target = $"/settings/{Guid.NewGuid():N}?tagHeader=x-cluster-tags&tags=cluster-tag";
            Assert.Equal("Miss from orleansedge", await cluster.XCacheAsync(http, target, 1));
            Assert.Equal("Hit from orleansedge", await cluster.XCacheAsync(http, target, 1));
            using var purge = await http.PostAsync($"{cluster.Control}/purge/E1", new StringContent("{\"tags\":[\"cluster-tag\"]}"));
            Assert.Contains("\"invalidated\":1", await purge.Content.ReadAsStringAsync());
            Assert.Equal("Miss from orleansedge", await cluster.XCacheAsync(http, target, 1));

            await first.KillAsync();
            await second.KillAsync();
            await silo.KillAsync();
        }

        await using (var silo = cluster.StartSilo())
        await using (var gateway = cluster.StartGateway())
        {
            await gateway.WaitReadyAsync($"{cluster.Control}/readyz");
            var page = "";
            for (var i = 0; i < 100 && !page.Contains("x-cluster-tags", StringComparison.Ordinal); i++)
            {
                await Task.Delay(50);
                page = await http.GetStringAsync($"{cluster.Control}/console/distributions/E1");
            }

            Assert.Contains("x-cluster-tags", page);
        }
    }

    /// <summary>Fixed ports across restarts, as a real node keeps its address.</summary>
    private sealed class Cluster(string redis, TestOrigin origin)
    {
        private readonly string _clusterId = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        private readonly int _siloPort = FreePort.Next();
        private readonly int _gatewayPort = FreePort.Next();
        private readonly int _viewerPort = FreePort.Next();
        private readonly int _controlPort = FreePort.Next();

        public string Control => $"http://127.0.0.1:{_controlPort}";

        public EdgeProcess StartSilo() => EdgeProcess.Start("Silo",
        [
            $"--ConnectionStrings:Redis={redis}",
            $"--Edge:Cluster:ClusterId={_clusterId}",
            $"--Edge:Cluster:ServiceId={_clusterId}",
            $"--Edge:Cluster:SiloPort={_siloPort}",
            $"--Edge:Cluster:GatewayPort={_gatewayPort}",
        ]);

        // A second gateway, when a test wants one.
        private readonly int _secondViewerPort = FreePort.Next();
        private readonly int _secondControlPort = FreePort.Next();

        public string ControlOf(int gateway) => gateway == 0 ? Control : $"http://127.0.0.1:{_secondControlPort}";

        private int ViewerPortOf(int gateway) => gateway == 0 ? _viewerPort : _secondViewerPort;

        public EdgeProcess StartGateway(int gateway = 0) => EdgeProcess.Start("Gateway",
        [
            $"--ConnectionStrings:Redis={redis}",
            $"--Edge:Cluster:ClusterId={_clusterId}",
            $"--Edge:Cluster:ServiceId={_clusterId}",
            $"--Edge:Listen:Viewer=http://127.0.0.1:{ViewerPortOf(gateway)}",
            $"--Edge:Listen:Control={ControlOf(gateway)}",
            $"--Edge:Distributions:E1:Origin={origin.BaseUrl}",
            "--Edge:Distributions:E1:Domains:0=cluster.test",
        ]);

        public async Task<string> XCacheAsync(HttpClient http, string target, int gateway = 0)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{ViewerPortOf(gateway)}{target}");
            request.Headers.Host = "cluster.test";
            using var response = await http.SendAsync(request);
            return response.Headers.GetValues("X-Cache").Single();
        }

        public async Task<string> StatusAsync(HttpClient http, string id, bool waitForCompleted)
        {
            for (var i = 0; ; i++)
            {
                using var response = await http.GetAsync($"{Control}/2020-05-31/distribution/E1/invalidation/{id}");
                var status = XElement.Parse(await response.Content.ReadAsStringAsync()).Element(Ns + "Status")!.Value;
                if (!waitForCompleted || status == "Completed" || i == 100)
                {
                    return status;
                }

                await Task.Delay(100);
            }
        }
    }
}

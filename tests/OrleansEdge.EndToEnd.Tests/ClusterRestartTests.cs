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

        public EdgeProcess StartGateway() => EdgeProcess.Start("Gateway",
        [
            $"--ConnectionStrings:Redis={redis}",
            $"--Edge:Cluster:ClusterId={_clusterId}",
            $"--Edge:Cluster:ServiceId={_clusterId}",
            $"--Edge:Listen:Viewer=http://127.0.0.1:{_viewerPort}",
            $"--Edge:Listen:Control={Control}",
            $"--Edge:Distributions:E1:Origin={origin.BaseUrl}",
            "--Edge:Distributions:E1:Domains:0=cluster.test",
        ]);

        public async Task<string> XCacheAsync(HttpClient http, string target)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_viewerPort}{target}");
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

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using OrleansEdge.Tests.Shared;

namespace OrleansEdge.EndToEnd.Tests;

/// <summary>
/// The observability files, proven against a real Prometheus scraping a real gateway: the configuration
/// and rules pass promtool, every dashboard query evaluates, and the hit-ratio and propagation panels say
/// what the traffic and the API say.
/// </summary>
public sealed class ObservabilityTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly string Observability = Path.Combine(EdgeProcess.RepositoryRoot, "observability");
    private static readonly XNamespace CloudFront = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

    private static string Installed(string name)
    {
        var path = $"/usr/bin/{name}";
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: run ./scripts/test.sh, which installs Debian's prometheus.");
    }

    [Fact]
    public async Task PrometheusConfigAndAlertRules_PassPromtool()
    {
        var config = await Tool.RunAsync(Installed("promtool"), "check", "config", Path.Combine(Observability, "prometheus", "prometheus.yml"));
        Assert.True(config.ExitCode == 0, config.Output);
        var rules = await Tool.RunAsync(Installed("promtool"), "check", "rules", Path.Combine(Observability, "prometheus", "alerts.yml"));
        Assert.True(rules.ExitCode == 0, rules.Output);
        Assert.Contains("4 rules found", rules.Output);
    }

    [Fact]
    public async Task ClusterScriptPrometheusConfig_ScrapesExactlyWhatItStarts_ClearOfAHostsOwnPorts()
    {
        var script = await Tool.RunAsync("bash", Path.Combine(EdgeProcess.RepositoryRoot, "scripts", "cluster.sh"), "prometheus-config", "4", "3");
        Assert.True(script.ExitCode == 0, script.Output);
        var path = Path.Combine(Directory.CreateTempSubdirectory("orleansedge-promconfig-").FullName, "prometheus.yml");
        await File.WriteAllTextAsync(path, script.Output);
        var check = await Tool.RunAsync(Installed("promtool"), "check", "config", path);
        Assert.True(check.ExitCode == 0, check.Output + script.Output);
        Assert.Contains("4 rules found", check.Output);

        var targets = System.Text.RegularExpressions.Regex.Matches(script.Output, @"127\.0\.0\.1:(\d+)").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([8081, 8181, 8281, 9464, 9465, 9466, 9467], targets);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public async Task Dashboard_ImportableIntoGrafana10_NamesOnlyItsDataSourceVariable()
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Observability, "grafana", "dashboards", "orleansedge.json")));
        var dashboard = document.RootElement;

        // Grafana 10.0 writes schema 38; an import keeps the dashboard's own uid and gives it a new id.
        Assert.InRange(dashboard.GetProperty("schemaVersion").GetInt32(), 38, 41);
        Assert.Equal(JsonValueKind.Null, dashboard.GetProperty("id").ValueKind);
        Assert.Contains(dashboard.GetProperty("__requires").EnumerateArray(),
            r => r.GetProperty("id").GetString() == "grafana" && Version.Parse(r.GetProperty("version").GetString()!) >= new Version(10, 0));

        var variable = dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().Single(v => v.GetProperty("name").GetString() == "datasource");
        Assert.Equal("datasource", variable.GetProperty("type").GetString());
        Assert.Equal("prometheus", variable.GetProperty("query").GetString());
        var panels = dashboard.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToList();
        Assert.NotEmpty(panels);
        foreach (var panel in panels)
        {
            foreach (var source in panel.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("datasource")).Append(panel.GetProperty("datasource")))
            {
                Assert.Equal("${datasource}", source.GetProperty("uid").GetString());
            }
        }
    }

    [Fact]
    public async Task DashboardQueries_AgreeWithTrafficAndApi()
    {
        await using var origin = await TestOrigin.StartAsync();
        var viewer = FreePort.Next();
        var control = FreePort.Next();
        await using var gateway = EdgeProcess.Start("Gateway",
        [
            $"--Edge:Listen:Viewer=http://127.0.0.1:{viewer}",
            $"--Edge:Listen:Control=http://127.0.0.1:{control}",
            $"--Edge:Cluster:SiloPort={FreePort.Next()}",
            $"--Edge:Cluster:GatewayPort={FreePort.Next()}",
            $"--Edge:Distributions:E1OBS:Origin={origin.BaseUrl}",
            "--Edge:Distributions:E1OBS:Domains:0=obs.test",
        ]);
        await gateway.WaitReadyAsync($"http://127.0.0.1:{control}/readyz");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        async Task<string> Get(string target)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{viewer}{target}");
            request.Headers.Host = "obs.test";
            using var response = await http.SendAsync(request);
            return response.Headers.GetValues("X-Cache").Single();
        }

        async Task<double> InvalidateAsync(string item)
        {
            var batch = $"<InvalidationBatch xmlns=\"{CloudFront}\"><CallerReference>{Guid.NewGuid()}</CallerReference><Paths><Quantity>1</Quantity><Items><Path>{item}</Path></Items></Paths></InvalidationBatch>";
            using var created = await http.PostAsync($"http://127.0.0.1:{control}/2020-05-31/distribution/E1OBS/invalidation", new StringContent(batch, Encoding.UTF8));
            var location = created.Headers.Location!;
            for (var i = 0; i < 200; i++)
            {
                using var get = await http.GetAsync(location);
                if (get.Headers.TryGetValues("x-orleansedge-propagation-ms", out var ms))
                {
                    return double.Parse(ms.Single(), CultureInfo.InvariantCulture) / 1000;
                }

                await Task.Delay(50);
            }

            throw new TimeoutException("invalidation did not complete");
        }

        // Every series the panels use exists before the measured traffic, so rate() sees all of it.
        await Get("/warm?tags=warm");
        await Get("/warm?tags=warm");
        var propagation = new List<double> { await InvalidateAsync("#warm") };

        var root = Directory.CreateTempSubdirectory("orleansedge-prometheus-").FullName;
        var prometheusPort = FreePort.Next();
        var configPath = Path.Combine(root, "prometheus.yml");
        await File.WriteAllTextAsync(configPath, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - {Path.Combine(Observability, "prometheus", "alerts.yml")}
            scrape_configs:
              - job_name: orleansedge-gateway
                static_configs:
                  - targets: ["127.0.0.1:{control}"]
            """);
        await using var prometheus = EdgeProcess.Run(Installed("prometheus"),
        [
            $"--config.file={configPath}", $"--storage.tsdb.path={Path.Combine(root, "data")}",
            $"--web.listen-address=127.0.0.1:{prometheusPort}", "--log.level=warn",
        ]);
        var api = new PrometheusApi(http, $"http://127.0.0.1:{prometheusPort}");
        await api.WaitForAsync("count_over_time(orleansedge_viewer_requests_total{result=\"hit\"}[1m])", v => v >= 2, prometheus);

        // The known mix: 10 misses and 30 hits, so a hit ratio of 0.75.
        for (var i = 0; i < 10; i++)
        {
            var target = $"/mix/{i}?tags=mix-{i},mix";
            Assert.Equal("Miss from orleansedge", await Get(target));
            for (var hit = 0; hit < 3; hit++)
            {
                Assert.Equal("Hit from orleansedge", await Get(target));
            }
        }

        for (var i = 0; i < 10; i++)
        {
            propagation.Add(await InvalidateAsync($"#mix-{i}"));
            propagation.Add(await InvalidateAsync($"/other/{i}"));
        }

        await api.WaitForAsync("sum(orleansedge_viewer_requests_total)", v => v >= 42, prometheus);
        await api.WaitForAsync("sum(orleansedge_invalidations_completed_total)", v => v >= propagation.Count, prometheus);
        await Task.Delay(2500);

        // Every panel query of the dashboard evaluates.
        var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Observability, "grafana", "dashboards", "orleansedge.json"))).RootElement;
        var queries = new Dictionary<string, List<string>>();
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row"))
        {
            queries[panel.GetProperty("title").GetString()!] = panel.GetProperty("targets").EnumerateArray()
                .Select(t => t.GetProperty("expr").GetString()!.Replace("$__rate_interval", "5m").Replace("$distribution", ".*"))
                .ToList();
        }

        Assert.True(queries.Count >= 20);
        foreach (var (title, expressions) in queries)
        {
            foreach (var expression in expressions)
            {
                await api.QueryAsync(expression, title);
            }
        }

        var hitRatio = (await api.QueryAsync(queries["Hit ratio"][0], "Hit ratio")).Single();
        Assert.InRange(hitRatio, 0.70, 0.80);

        var p95 = (await api.QueryAsync(queries["Propagation time (P50 / P95 / P99)"][1], "P95")).Single();
        var sorted = propagation.Order().ToArray();
        var reported95 = sorted[(int)Math.Ceiling(0.95 * sorted.Length) - 1];
        output.WriteLine($"hit ratio panel {hitRatio:0.000} (traffic: 0.750); P95 propagation panel {p95 * 1000:0.0} ms, API-reported P95 {reported95 * 1000:0.0} ms over {sorted.Length} invalidations");
        Assert.InRange(p95, reported95 / 2 - 0.002, reported95 * 2 + 0.002);

        Assert.Single(await api.QueryAsync(queries["Origin fetches by result"][0], "origin"));
        Assert.True((await api.QueryAsync("sum(orleansedge_tags_memberships)", "tags")).Single() >= 0);

        // OpenTelemetry's semantic-convention HTTP metrics, beside the edge's own: viewers and control calls served, origin calls made.
        Assert.True((await api.QueryAsync("sum(http_server_request_duration_seconds_count)", "semconv server")).Single() >= 42);
        Assert.True((await api.QueryAsync("sum(http_client_request_duration_seconds_count)", "semconv client")).Single() >= 1);

        // Labels stay bounded: hundreds of distinct URLs and tags add no series and no label values.
        var before = (await api.QueryAsync("count({__name__=~\"orleansedge_.*\"})", "series")).Single();
        for (var i = 0; i < 300; i++)
        {
            await Get($"/card-{i}?tags=card-tag-{i}");
        }

        await api.WaitForAsync("sum(orleansedge_viewer_requests_total)", v => v >= 342, prometheus);
        Assert.Equal(before, (await api.QueryAsync("count({__name__=~\"orleansedge_.*\"})", "series")).Single());
        foreach (var label in await api.LabelsAsync())
        {
            Assert.DoesNotContain(await api.LabelValuesAsync(label), value => value.Contains("card-", StringComparison.Ordinal));
        }

        var rules = await api.GetAsync("/api/v1/rules");
        Assert.Equal(4, rules.GetProperty("data").GetProperty("groups")[0].GetProperty("rules").GetArrayLength());
        Assert.All(rules.GetProperty("data").GetProperty("groups")[0].GetProperty("rules").EnumerateArray(),
            rule => Assert.Equal("ok", rule.GetProperty("health").GetString()));
        Directory.Delete(root, recursive: true);
    }

    private sealed class PrometheusApi(HttpClient http, string baseUrl)
    {
        public async Task<JsonElement> GetAsync(string path)
        {
            using var response = await http.GetAsync(baseUrl + path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {body}");
            return JsonDocument.Parse(body).RootElement;
        }

        /// <summary>Evaluates an instant query; fails the test, naming the panel, if Prometheus rejects it.</summary>
        public async Task<double[]> QueryAsync(string expression, string panel)
        {
            using var response = await http.GetAsync($"{baseUrl}/api/v1/query?query={Uri.EscapeDataString(expression)}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"panel '{panel}': {expression} → {body}");
            return Values(body);
        }

        public async Task WaitForAsync(string expression, Func<double, bool> condition, EdgeProcess prometheus)
        {
            for (var i = 0; i < 300; i++)
            {
                try
                {
                    // Prometheus refuses connections, then answers 503, while it starts (loading its write-ahead log):
                    // both mean "not yet", as does a query whose series have not been scraped.
                    using var response = await http.GetAsync($"{baseUrl}/api/v1/query?query={Uri.EscapeDataString(expression)}");
                    if (response.StatusCode == HttpStatusCode.OK && Values(await response.Content.ReadAsStringAsync()).Any(condition))
                    {
                        return;
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                }

                await Task.Delay(200);
            }

            throw new TimeoutException($"Prometheus never saw {expression}:\n{prometheus.Output}");
        }

        private static double[] Values(string body) =>
            JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
                .Select(r => double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)).ToArray();

        public async Task<string[]> LabelsAsync() =>
            (await GetAsync("/api/v1/labels")).GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToArray();

        public async Task<string[]> LabelValuesAsync(string label) =>
            (await GetAsync($"/api/v1/label/{Uri.EscapeDataString(label)}/values")).GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToArray();
    }
}

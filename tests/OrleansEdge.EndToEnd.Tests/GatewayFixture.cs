using OrleansEdge.Tests.Shared;

namespace OrleansEdge.EndToEnd.Tests;

/// <summary>One real Gateway process (embedded silo) in front of a real test origin, shared by a collection.</summary>
public class GatewayFixture : IAsyncLifetime
{
    public const string PurgeToken = "e2e-purge-token";

    private EdgeProcess? _gateway;

    public TestOrigin Origin { get; private set; } = null!;

    /// <summary>An origin whose header values hold bytes outside ASCII (obs-text), as Latin-1: host obs.test.</summary>
    public RawOrigin ObsTextOrigin { get; private set; } = null!;

    /// <summary>An origin with a control character in a header value: host ctl.test.</summary>
    public RawOrigin ControlCharacterOrigin { get; private set; } = null!;

    public int ViewerPort { get; } = FreePort.Next();

    public int ControlPort { get; } = FreePort.Next();

    public HttpClient Http { get; } = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ResponseHeaderEncodingSelector = static (_, _) => System.Text.Encoding.Latin1,
        MaxResponseHeadersLength = 1024,
    }) { Timeout = TimeSpan.FromSeconds(60) };

    public string Control => $"http://127.0.0.1:{ControlPort}";

    /// <summary>Settings a derived fixture adds to the gateway's command line.</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    public async Task InitializeAsync()
    {
        Origin = await TestOrigin.StartAsync();
        ObsTextOrigin = RawOrigin.Start(System.Text.Encoding.Latin1.GetBytes(
            "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Type: text/plain\r\nx-amz-meta-cache-tag: caf\u00e9,menu\r\nX-Note: d\u00e9j\u00e0 vu\r\n"), "obs-text"u8.ToArray());
        ControlCharacterOrigin = RawOrigin.Start(System.Text.Encoding.Latin1.GetBytes(
            "HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Type: text/plain\r\nX-Bad: a\u0001b\r\nX-Good: fine\r\n"), "control"u8.ToArray());
        var deadOrigin = FreePort.Next();
        _gateway = EdgeProcess.Start("Gateway",
        [
            $"--Edge:Listen:Viewer=http://127.0.0.1:{ViewerPort}",
            $"--Edge:Listen:Control={Control}",
            $"--Edge:Cluster:SiloPort={FreePort.Next()}",
            $"--Edge:Cluster:GatewayPort={FreePort.Next()}",
            $"--Edge:PurgeToken={PurgeToken}",
            "--Edge:AccessLog:Enabled=true",
            $"--Edge:Distributions:E1TEST:Origin={Origin.BaseUrl}",
            "--Edge:Distributions:E1TEST:Domains:0=e1.test",
            "--Edge:Distributions:E1TEST:Tenants:tenant1:Domains:0=tenant1.test",
            "--Edge:Distributions:E1TEST:OriginTimeout=00:00:02",
            "--Edge:Distributions:E1TEST:MaxBodyBytes=100000",
            $"--Edge:Distributions:E2STRIP:Origin={Origin.BaseUrl}",
            "--Edge:Distributions:E2STRIP:Domains:0=strip.test",
            "--Edge:Distributions:E2STRIP:CacheTags:StripFromResponse=true",
            $"--Edge:Distributions:E3DEAD:Origin=http://127.0.0.1:{deadOrigin}",
            "--Edge:Distributions:E3DEAD:Domains:0=dead.test",
            $"--Edge:Distributions:E4OBS:Origin={ObsTextOrigin.BaseUrl}",
            "--Edge:Distributions:E4OBS:Domains:0=obs.test",
            $"--Edge:Distributions:E6SLOW:Origin={Origin.BaseUrl}",
            "--Edge:Distributions:E6SLOW:Domains:0=slow.test",
            "--Edge:Distributions:E6SLOW:OriginTimeout=00:01:00",
            $"--Edge:Distributions:E5CTL:Origin={ControlCharacterOrigin.BaseUrl}",
            "--Edge:Distributions:E5CTL:Domains:0=ctl.test",

            // A shop, as SPEC §3a's example: pages keyed by language and session but not by tracking parameters or
            // analytics cookies, an API never cached, static files keyed by path alone.
            "--Edge:CachePolicies:Shop:QueryStrings:Behavior=AllExcept",
            "--Edge:CachePolicies:Shop:QueryStrings:Items:0=utm_source",
            "--Edge:CachePolicies:Shop:QueryStrings:Items:1=fbclid",
            "--Edge:CachePolicies:Shop:Headers:0=Accept-Language",
            "--Edge:CachePolicies:Shop:Cookies:Behavior=Allow",
            "--Edge:CachePolicies:Shop:Cookies:Items:0=session",
            $"--Edge:Distributions:E7SHOP:Origin={Origin.BaseUrl}",
            "--Edge:Distributions:E7SHOP:Domains:0=shop.test",
            "--Edge:Distributions:E7SHOP:CachePolicy=Shop",
            "--Edge:Distributions:E7SHOP:Behaviors:0:PathPattern=/api/*",
            "--Edge:Distributions:E7SHOP:Behaviors:0:CachePolicy=CachingDisabled",
            "--Edge:Distributions:E7SHOP:Behaviors:1:PathPattern=static/*",
            "--Edge:Distributions:E7SHOP:Behaviors:1:CachePolicy=CachingOptimized",
            "--Edge:Distributions:E7SHOP:ErrorResponses:404:ResponsePagePath=/errors/not-found?tags=error-page",
            "--Edge:Distributions:E7SHOP:ErrorResponses:404:Ttl=00:05:00",
            "--Edge:Distributions:E7SHOP:ErrorResponses:403:ResponsePagePath=/spa/index.html",
            "--Edge:Distributions:E7SHOP:ErrorResponses:403:ResponseCode=200",
            $"--Edge:Distributions:E9FASTLY:Origin={Origin.BaseUrl}",
            "--Edge:Distributions:E9FASTLY:Domains:0=fastly.test",
            "--Edge:Distributions:E9FASTLY:CacheTags:Header=Surrogate-Key",
            "--Edge:Distributions:E9FASTLY:CacheTags:Separator= ",
            $"--Edge:Distributions:E8TIMEOUT:Origin={Origin.BaseUrl}",
            "--Edge:Distributions:E8TIMEOUT:Domains:0=timeout.test",
            "--Edge:Distributions:E8TIMEOUT:OriginTimeout=00:00:01",
            "--Edge:Distributions:E8TIMEOUT:ErrorResponses:504:ResponsePagePath=/sorry.html",
            .. ExtraArguments,
        ]);
        await _gateway.WaitReadyAsync($"{Control}/readyz");
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await Origin.DisposeAsync();
        await ObsTextOrigin.DisposeAsync();
        await ControlCharacterOrigin.DisposeAsync();
        Http.Dispose();
    }

    public string GatewayOutput => _gateway?.Output ?? "";

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string host, string target, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, $"http://127.0.0.1:{ViewerPort}{target}");
        request.Headers.Host = host;
        configure?.Invoke(request);
        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetAsync(string target, string host = "e1.test", Action<HttpRequestMessage>? configure = null) =>
        SendAsync(HttpMethod.Get, host, target, configure);

    public async Task<string> XCacheAsync(string target, string host = "e1.test")
    {
        using var response = await GetAsync(target, host);
        return response.Headers.TryGetValues("X-Cache", out var values) ? values.Single() : "(none)";
    }

    public async Task<HttpResponseMessage> PurgeAsync(string json, string distribution = "E1TEST", string? token = PurgeToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Control}/purge/{distribution}")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return await Http.SendAsync(request);
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}

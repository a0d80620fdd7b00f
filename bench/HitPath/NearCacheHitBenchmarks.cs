using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Gateway.Diagnostics;
using OrleansEdge.Gateway.Viewer;
using OrleansEdge.Grains.Interfaces.Objects;
using System.Diagnostics.Metrics;
using OrleansEdge.Gateway.Routing;
using OrleansEdge.Gateway.NearCache;

namespace OrleansEdge.Bench.HitPath;

/// <summary>
/// A viewer request answered from the gateway's own copy: the middleware as Kestrel calls it, minus Kestrel.
/// The context is reused, as Kestrel reuses its own. The 32 bytes reported per hit are DefaultHttpContext's:
/// its Content-Length setter formats a string, where Kestrel's response headers keep the number.
/// </summary>
[MemoryDiagnoser]
public class NearCacheHitBenchmarks
{
    private const int ViewerPort = 8080;
    private ViewerMiddleware _middleware = null!;
    private DefaultHttpContext _context = null!;
    private DefaultHttpContext _browserContext = null!;
    private NearCacheCopies _copies = null!;
    private string _key = "";

    [GlobalSetup]
    public void Setup()
    {
        var options = new EdgeOptions();
        options.Distributions["E1"] = new DistributionOptions { Origin = "http://127.0.0.1:9", Domains = ["bench.test"] };
        var routes = new RouteTableProvider(Options.Create(options), new ConfigurationBuilder().Build(), NullLogger<RouteTableProvider>.Instance);
        var route = routes.Current.Match("bench.test")!;

        _copies = new NearCacheCopies(TimeProvider.System, 1L << 30);
        var now = TimeProvider.System.GetUtcNow();
        _copies.Renewed(TimeProvider.System.GetTimestamp(), continued: false);
        const string target = "/products/123?color=blue";
        _key = route.Scope + target;
        var response = new CachedResponse
        {
            Status = 200,
            Headers = [new HeaderField("Content-Type", ["application/json"]), new HeaderField("Cache-Control", ["public, max-age=3600"]), new HeaderField("x-amz-meta-cache-tag", ["product:123"])],
            Body = new byte[1024],
            Tags = ["product:123"],
            // Twenty minutes old, as a copy typically is: its Age header is past the numbers .NET keeps as strings.
            FetchStarted = now.AddMinutes(-20),
            Received = now.AddMinutes(-20),
            FreshUntil = now.AddDays(1),
        };
        _copies.Admit(_key, route.Scope, route.Distribution.TagHeader, response, TimeProvider.System.GetTimestamp());

        // What a browser's request is keyed as: its Accept-Encoding normalised, its analytics cookies left out.
        _copies.Admit(_key + " accept-encoding:br", route.Scope, route.Distribution.TagHeader, response, TimeProvider.System.GetTimestamp());

        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

        // No grain factory, object access or origin client: a hit uses none, and a benchmark that reached them would fail.
        var metrics = new EdgeMetrics(meters, _copies);
        _middleware = new ViewerMiddleware(
            _ => Task.CompletedTask, routes, grains: null!, objects: null!, _copies, new OriginPassThrough(null!, metrics, NullLogger<OriginPassThrough>.Instance),
            metrics, new AccessLog(NullLogger<AccessLog>.Instance), TimeProvider.System, NullLogger<ViewerMiddleware>.Instance, new ViewerPorts([ViewerPort], null));

        _context = new DefaultHttpContext();
        _context.Connection.LocalPort = ViewerPort;
        _context.Request.Method = HttpMethods.Get;
        _context.Request.Host = new HostString("bench.test");
        _context.Features.Get<IHttpRequestFeature>()!.RawTarget = target;
        _context.Response.Body = Stream.Null;

        _browserContext = new DefaultHttpContext();
        _browserContext.Connection.LocalPort = ViewerPort;
        _browserContext.Request.Method = HttpMethods.Get;
        _browserContext.Request.Host = new HostString("bench.test");
        _browserContext.Request.Headers.AcceptEncoding = "gzip, deflate, br, zstd";
        _browserContext.Request.Headers.Cookie = "_ga=GA1.1.1234567890.1700000000; _gid=GA1.1.987654321.1700000000";
        _browserContext.Features.Get<IHttpRequestFeature>()!.RawTarget = "/products/123?color=blue";
        _browserContext.Response.Body = Stream.Null;
    }

    [Benchmark(Description = "hit through the viewer middleware")]
    public Task Hit()
    {
        _context.Response.Headers.Clear();
        return _middleware.InvokeAsync(_context);
    }

    [Benchmark(Description = "browser hit (Accept-Encoding, analytics cookies)")]
    public Task BrowserHit()
    {
        _browserContext.Response.Headers.Clear();
        return _middleware.InvokeAsync(_browserContext);
    }

    [Benchmark(Description = "near-cache lookup alone")]
    public bool Lookup() => _copies.TryGet(_key, TimeProvider.System.GetUtcNow(), out _);
}

using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using OrleansEdge.Gateway.Configuration;

namespace OrleansEdge.Gateway.Demo;

/// <summary>
/// A small shop origin for the README walk-through (<c>--demo</c>): products, reviews, articles and pages,
/// every response tagged the way an e-commerce origin would tag it, and a counter of how often each path
/// was fetched so the effect of the cache is visible.
/// </summary>
internal sealed class DemoOrigin(IOptions<EdgeOptions> options, ILogger<DemoOrigin> logger) : IHostedService, IAsyncDisposable
{
    private static readonly Dictionary<string, string> Categories = new()
    {
        ["123"] = "electronics", ["456"] = "electronics", ["789"] = "books",
    };

    private readonly ConcurrentDictionary<string, int> _fetches = new();
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.Value.Demo.Url);
        var app = builder.Build();

        app.MapGet("/", (HttpContext c) => Page(c, "page:home", "public, max-age=3600", "<h1>OrleansEdge demo shop</h1><p>Try /products/123, /products/123/reviews, /api/products/123, /about.</p>"));
        app.MapGet("/about", (HttpContext c) => Page(c, null, "public, max-age=3600", "<h1>About us</h1><p>This page carries no cache tag.</p>"));
        app.MapGet("/products/{id}", (HttpContext c, string id) =>
            Page(c, $"product:{id}, category:{Category(id)}", "public, max-age=3600", $"<h1>Product {id}</h1><p>Category: {Category(id)}</p>"));
        app.MapGet("/products/{id}/reviews", (HttpContext c, string id) =>
            Page(c, $"product:{id}, reviews", "public, max-age=3600", $"<h1>Reviews of product {id}</h1><p>★★★★☆</p>"));
        app.MapGet("/api/products/{id}", (HttpContext c, string id) =>
            Json(c, $"product:{id}", $"{{\"id\":\"{id}\",\"category\":\"{Category(id)}\",\"price\":19.99}}"));
        app.MapGet("/articles/{slug}", (HttpContext c, string slug) =>
            Page(c, $"article:{slug}, articles", "public, max-age=600", $"<h1>Article {slug}</h1>"));
        // For bench/run.sh: any number of objects, each with the tags and body size the query names.
        app.MapGet("/bench/{id}", (HttpContext c, string id, string? tags, int? size) =>
        {
            c.Response.Headers.CacheControl = "public, max-age=3600";
            if (tags is not null)
            {
                c.Response.Headers["x-amz-meta-cache-tag"] = tags;
            }

            return Results.Bytes(new byte[Math.Clamp(size ?? 1024, 0, 1 << 20)], "application/octet-stream");
        });
        app.MapGet("/private", (HttpContext c) => Page(c, null, "private, max-age=60", "<h1>Your account</h1><p>Never cached for others.</p>"));
        app.MapGet("/slow", async (HttpContext c, int? ms) =>
        {
            await Task.Delay(Math.Clamp(ms ?? 2000, 0, 30_000));
            return Page(c, "slow", "public, max-age=3600", "<h1>A slow page</h1>");
        });

        await app.StartAsync(cancellationToken);
        _app = app;
        logger.LogInformation("Demo origin listening on {Url}", options.Value.Demo.Url);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static string Category(string id) => Categories.GetValueOrDefault(id, "misc");

    private IResult Page(HttpContext context, string? tags, string cacheControl, string html) =>
        Respond(context, tags, cacheControl, "text/html; charset=utf-8", html);

    private IResult Json(HttpContext context, string tags, string json) =>
        Respond(context, tags, "public, max-age=3600", "application/json", json);

    private IResult Respond(HttpContext context, string? tags, string cacheControl, string contentType, string content)
    {
        var path = context.Request.Path.Value ?? "/";
        var headers = context.Response.Headers;
        headers.CacheControl = cacheControl;

        // Stable per path, so a revalidation (soft purge) gets a 304 and the edge answers RefreshHit.
        var etag = $"\"{Math.Abs(StringComparer.Ordinal.GetHashCode(path)) % 1_000_000:D6}-v1\"";
        headers.ETag = etag;
        if (tags is not null)
        {
            headers["x-amz-meta-cache-tag"] = tags;
        }

        var fetch = _fetches.AddOrUpdate(path, 1, static (_, n) => n + 1);
        headers["X-Origin-Fetch"] = fetch.ToString(CultureInfo.InvariantCulture);
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        var stamp = DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var body = contentType.StartsWith("application/json", StringComparison.Ordinal)
            ? content.TrimEnd('}') + $",\"originFetch\":{fetch},\"generatedAt\":\"{stamp}\"}}\n"
            : $"{content}\n<p>origin fetch #{fetch} of {path} at {stamp} UTC</p>\n";
        return Results.Text(body, contentType);
    }
}

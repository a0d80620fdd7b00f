using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OrleansEdge.Tests.Shared;

namespace OrleansEdge.EndToEnd.Tests.Campaign;

/// <summary>
/// The campaign's origin: <c>/v/{group}/{id}</c> answers the group's current version (in the body and
/// <c>X-Version</c>), tagged <c>g-{group}</c>. The version is read when the request arrives, so a slow fetch
/// (<c>?delay=ms</c>) that began before a bump returns the old version, as a real origin's in-flight response would.
/// </summary>
internal sealed class VersionedOrigin : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _versions = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    private VersionedOrigin(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public static async Task<VersionedOrigin> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var origin = new VersionedOrigin(app, port);
        app.Run(origin.HandleAsync);
        await app.StartAsync();
        return origin;
    }

    public int Version(string group) => _versions.GetValueOrDefault(group, 1);

    /// <summary>The origin's content for the group changes: from now on it answers the next version.</summary>
    public int Bump(string group) => _versions.AddOrUpdate(group, 2, static (_, v) => v + 1);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var parts = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts is not ["v", var group, _])
        {
            context.Response.StatusCode = 404;
            return;
        }

        var version = Version(group);
        if (int.TryParse(context.Request.Query["delay"], out var delay))
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        var text = version.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "max-age=3600";
        context.Response.Headers["x-amz-meta-cache-tag"] = $"g-{group}";
        context.Response.Headers["X-Version"] = text;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync($"{group} v{text}");
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace OrleansEdge.Tests.Shared;

/// <summary>
/// A real HTTP origin on a loopback port. Each test shapes its responses through the query string, so
/// every test has its own keys:
/// <c>tags</c> (tag header value), <c>tagHeader</c>, <c>cc</c> (Cache-Control), <c>delay</c> (ms before
/// answering), <c>status</c>, <c>size</c> (body bytes), <c>etag</c>, <c>cookie=1</c>, <c>expires</c>,
/// <c>chunked=1</c>, <c>tagBytes</c> (a tag header of that many bytes), <c>vary</c> (a Vary header), <c>gzip=1</c> (a gzip body, whatever the request accepts), <c>seq=1</c> (a <c>size</c> body that says where each stretch is, <see cref="Sequence"/>), <c>ranges=1</c> (answers a <c>bytes=a-b</c> Range with 206). It echoes the
/// request's <c>Cookie</c>, <c>Accept-Encoding</c> and <c>Accept-Language</c> as <c>X-Origin-…</c> headers. It counts
/// requests per request target, its query parameters in any order (the edge sorts them on a fill), and can report
/// when one has arrived.
/// </summary>
public sealed class TestOrigin : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _requests = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _arrivals = new();
    private readonly WebApplication _app;

    private TestOrigin(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public static async Task<TestOrigin> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var origin = new TestOrigin(app, port);
        app.Run(origin.HandleAsync);
        await app.StartAsync();
        return origin;
    }

    /// <summary>How many requests reached the origin for this exact target (path and query).</summary>
    public int Requests(string target) => _requests.GetValueOrDefault(Counted(target));

    /// <summary>How long a test waits for a request to reach the origin before it fails rather than hang.</summary>
    public static readonly TimeSpan ArrivalLimit = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Completes when the first request for <paramref name="target"/> has arrived; fails with <see cref="TimeoutException"/>
    /// after <see cref="ArrivalLimit"/> (an edge that never sends it, a gateway gone: the test fails, the run goes on).
    /// </summary>
    public Task Arrived(string target) =>
        _arrivals.GetOrAdd(Counted(target), static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task
            .WaitAsync(ArrivalLimit);

    /// <summary>The target with its query parameters sorted by name, so that a test counts what it sent in any order.</summary>
    private static string Counted(string target)
    {
        var query = target.IndexOf('?');
        if (query < 0)
        {
            return target;
        }

        var parameters = target[(query + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries)
            .OrderBy(static p => p.Split('=')[0], StringComparer.Ordinal);
        return string.Concat(target.AsSpan(0, query), "?", string.Join('&', parameters));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var count = _requests.AddOrUpdate(Counted(target), 1, static (_, n) => n + 1);
        _arrivals.GetOrAdd(Counted(target), static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

        var query = context.Request.Query;
        if (int.TryParse(query["delay"], out var delay))
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

        var response = context.Response;
        var etag = query["etag"].ToString();
        if (etag.Length > 0)
        {
            response.Headers.ETag = $"\"{etag}\"";
            if (context.Request.Headers.IfNoneMatch.ToString() == $"\"{etag}\"")
            {
                response.StatusCode = 304;
                return;
            }
        }

        response.StatusCode = int.TryParse(query["status"], out var status) ? status : 200;
        if (query.ContainsKey("tags"))
        {
            response.Headers[query["tagHeader"].Count > 0 ? query["tagHeader"].ToString() : "x-amz-meta-cache-tag"] = query["tags"];
        }

        if (int.TryParse(query["tagBytes"], out var tagBytes))
        {
            var tags = new System.Text.StringBuilder(tagBytes + 16);
            for (var i = 0; tags.Length < tagBytes; i++)
            {
                tags.Append(i == 0 ? "" : ",").Append("t").Append(i);
            }

            response.Headers["x-amz-meta-cache-tag"] = tags.ToString(0, tagBytes).TrimEnd(',');
        }

        if (query["cc"].Count > 0)
        {
            response.Headers.CacheControl = query["cc"];
        }

        if (query["expires"].Count > 0)
        {
            response.Headers.Expires = query["expires"];
        }

        if (query["cookie"] == "1")
        {
            response.Headers.SetCookie = "session=abc; Path=/";
        }

        if (query["vary"].Count > 0)
        {
            response.Headers.Vary = query["vary"];
        }

        response.Headers["X-Origin-Cookie"] = context.Request.Headers.Cookie.ToString();
        response.Headers["X-Origin-Accept-Encoding"] = context.Request.Headers.AcceptEncoding.ToString();
        response.Headers["X-Origin-Accept-Language"] = context.Request.Headers.AcceptLanguage.ToString();
        response.Headers["X-Origin-Count"] = count.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-Origin-Method"] = context.Request.Method;
        response.ContentType = "text/plain";
        var body = !int.TryParse(query["size"], out var size) ? $"{context.Request.Method} {target} #{count}"
            : query["seq"] == "1" ? Sequence(size)
            : new string('x', size);
        var bytes = System.Text.Encoding.UTF8.GetBytes(body);
        if (query["gzip"] == "1")
        {
            using var compressed = new MemoryStream();
            using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(bytes);
            }

            bytes = compressed.ToArray();
            response.Headers.ContentEncoding = "gzip";
        }

        if (query["ranges"] == "1" && System.Net.Http.Headers.RangeHeaderValue.TryParse(context.Request.Headers.Range, out var range)
            && range.Ranges.Single() is { From: { } from, To: { } to } && to < bytes.Length)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {from}-{to}/{bytes.Length}";
            bytes = bytes[(int)from..((int)to + 1)];
        }

        if (query["chunked"] != "1")
        {
            response.ContentLength = bytes.Length;
        }

        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(bytes);
        }
    }

    /// <summary>
    /// A body whose every stretch says where it is: letters that change every 7,919 bytes (a prime, so the changes fall
    /// across any chunking), for checking that a body arrived whole and in order.
    /// </summary>
    public static string Sequence(int size) => string.Create(size, 0, static (chars, _) =>
    {
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)('a' + (i / 7919 % 26));
        }
    });
}

/// <summary>Free loopback ports, handed out once each per test process.</summary>
public static class FreePort
{
    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        lock (Given)
        {
            while (true)
            {
                var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
                listener.Start();
                var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }
    }
}

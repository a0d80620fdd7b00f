using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Gateway.Diagnostics;
using Results = OrleansEdge.Gateway.Diagnostics.EdgeMetrics.Results;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Interfaces.Origin;
using OrleansEdge.Gateway.Routing;
using OrleansEdge.Gateway.NearCache;

namespace OrleansEdge.Gateway.Viewer;

/// <summary>
/// Serves viewer traffic on the viewer port: routes by Host, looks the object up in its grain and writes
/// the answer. Everything that is not a cacheable lookup goes to <see cref="OriginPassThrough"/>.
/// </summary>
internal sealed partial class ViewerMiddleware(
    RequestDelegate next,
    RouteTableProvider routes,
    IGrainFactory grains,
    ObjectAccess objects,
    IViewerCopies copies,
    OriginPassThrough passThrough,
    EdgeMetrics metrics,
    AccessLog accessLog,
    TimeProvider time,
    ILogger<ViewerMiddleware> logger,
    ViewerPorts viewerPorts)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!viewerPorts.Contains(context.Connection.LocalPort))
        {
            return next(context);
        }

        var started = Stopwatch.GetTimestamp();
        var route = routes.Current.Match(HostName(context.Request.Headers.Host.ToString()));
        if (route is null)
        {
            Served(context, "", Results.Error, started);
            return EdgeErrors.WriteAsync(context, StatusCodes.Status404NotFound, "404 Not Found: no distribution serves this host.");
        }

        if (!context.Request.IsHttps && route.Distribution.ViewerProtocol != ViewerProtocol.AllowAll)
        {
            Served(context, route.Distribution.Id, Results.Error, started);
            return route.Distribution.ViewerProtocol == ViewerProtocol.HttpsOnly
                ? EdgeErrors.WriteAsync(context, StatusCodes.Status403Forbidden, "403 Forbidden: this distribution is served over https only.")
                : RedirectToHttpsAsync(context);
        }

        if (!IsForwardedMethod(context.Request.Method))
        {
            // CONNECT would make the edge a tunnel and TRACE would echo viewers' credentials back: neither reaches an origin.
            Served(context, route.Distribution.Id, Results.Error, started);
            return EdgeErrors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed,
                "405 Method Not Allowed: the edge forwards GET, HEAD, OPTIONS, PUT, POST, PATCH and DELETE.", allow: ForwardedMethods);
        }

        var sent = RequestTarget(context);
        if (!IsShareable(context.Request))
        {
            return PassAsync(context, route.Distribution, sent, started);
        }

        // One spelling per URL: the key, the fill's request and invalidations all use the normal form.
        var target = RequestTargets.Normalize(sent);
        var query = target.IndexOf('?');
        var behavior = route.Distribution.BehaviorFor(query < 0 ? target : target.AsSpan(0, query));
        if (!behavior.Policy.Caches)
        {
            return PassAsync(context, route.Distribution, sent, started);
        }

        // The hit path: the key is assembled on the stack and looked up without a grain call or allocation.
        var maxLength = ViewerCacheKey.MaxLength(route.Scope, target, behavior.Policy, context.Request.Headers);
        Span<char> buffer = maxLength <= MaxStackKey ? stackalloc char[maxLength] : new char[maxLength];
        var key = buffer[..ViewerCacheKey.Write(buffer, route.Scope, target, behavior.Policy, context.Request.Headers)];
        var now = time.GetUtcNow();
        if (copies.TryGet(key, now, out var copy))
        {
            if (route.Distribution.ErrorPageFor(copy.Status) is not null)
            {
                return RespondAsync(context, route, copy, CacheStatus.Hit, withAge: true, Results.Hit, started);
            }

            metrics.RecordBytes(route.Distribution.Id, fromCache: true, HttpMethods.IsHead(context.Request.Method) ? 0 : copy.Body.Length);
            var written = CachedResponseWriter.WriteAsync(context, copy, CacheStatus.Hit, withAge: true, route.Distribution, now);
            if (written.IsCompletedSuccessfully)
            {
                Served(context, route.Distribution.Id, Results.Hit, started);
                return Task.CompletedTask;
            }

            return AwaitHitAsync(context, written, route.Distribution.Id, started);
        }

        return LookupAsync(context, route, behavior, key.ToString(), sent, started);
    }

    private async Task AwaitHitAsync(HttpContext context, Task written, string distribution, long started)
    {
        await written;
        Served(context, distribution, Results.Hit, started);
    }

    /// <summary>Counts a viewer request once it is answered, and writes its access-log line when that is on.</summary>
    private void Served(HttpContext context, string distribution, string result, long started)
    {
        metrics.RecordRequest(distribution, result, started);
        if (routes.Current.Options.AccessLog.Enabled)
        {
            accessLog.Write(context, distribution, result, started);
        }
    }

    /// <param name="sent">The target as the viewer sent it: what a pass forwards.</param>
    private async Task LookupAsync(HttpContext context, ViewerRoute route, CacheBehavior behavior, string key, string sent, long started)
    {
        var distribution = route.Distribution;
        var lookupStarted = time.GetTimestamp();
        ObjectLookup lookup;
        try
        {
            lookup = await objects.LookupAsync(key, behavior.Profile, CanTakeRelay(context.Request));
        }
        catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            // Viewers never pay for the cluster: without an answer from it, the origin answers directly.
            LogLookupFailed(logger, exception, distribution.Id);
            await PassAsync(context, distribution, sent, started);
            return;
        }

        if (lookup.Response is { } answered && lookup.Outcome is LookupOutcome.Hit or LookupOutcome.Miss or LookupOutcome.RefreshHit
            && !copies.Admit(key, route.Scope, distribution.TagHeader, answered, lookupStarted))
        {
            // An invalidation this gateway heard of before the viewer asked covers the answer (a silo stalled past
            // its death can still hand out an old copy): the origin answers, with a fetch made after it.
            await PassAsync(context, distribution, sent, started);
            return;
        }

        var now = time.GetUtcNow();
        if (lookup.Response is { } served && lookup.Outcome != LookupOutcome.Pass && !HttpMethods.IsHead(context.Request.Method))
        {
            metrics.RecordBytes(distribution.Id, fromCache: lookup.Outcome is LookupOutcome.Hit or LookupOutcome.RefreshHit, served.Body.Length);
        }

        switch (lookup.Outcome)
        {
            case LookupOutcome.Hit:
                await RespondAsync(context, route, lookup.Response!, CacheStatus.Hit, withAge: true, Results.Hit, started);
                break;
            case LookupOutcome.RefreshHit:
                await RespondAsync(context, route, lookup.Response!, CacheStatus.RefreshHit, withAge: true, Results.RefreshHit, started);
                break;
            case LookupOutcome.Miss:
                await RespondAsync(context, route, lookup.Response!, CacheStatus.Miss, withAge: false, Results.Miss, started);
                break;
            case LookupOutcome.Pass:
                await PassAsync(context, distribution, sent, started,
                    lookup.Relayed is { } relayed ? (grains.CachedObject(key), relayed) : null);
                break;
            default:
                if (lookup.Response is { } response)
                {
                    // The origin's own 5xx, or a stale copy it allowed with stale-if-error.
                    await RespondAsync(context, route, response, CacheStatus.Error, withAge: true, Results.Error, started);
                }
                else if (distribution.ErrorPageFor(lookup.ErrorStatus) is { } errorPage && await ErrorPageAsync(context, route, errorPage) is { } page)
                {
                    await CachedResponseWriter.WriteAsync(context, page with { Status = errorPage.ResponseCode ?? lookup.ErrorStatus }, CacheStatus.Error, withAge: false, distribution, now);
                    Served(context, distribution.Id, Results.Error, started);
                }
                else
                {
                    await EdgeErrors.WriteOriginFailureAsync(context, lookup.ErrorStatus, lookup.ErrorMessage ?? "");
                    Served(context, distribution.Id, Results.Error, started);
                }

                break;
        }
    }

    /// <summary>
    /// Writes an answer from the cache or the origin, replaced by the distribution's custom error page for its status
    /// when one is configured and can be had (SPEC §3a); otherwise the answer itself.
    /// </summary>
    private async Task RespondAsync(HttpContext context, ViewerRoute route, CachedResponse response, string xCache, bool withAge, string result, long started)
    {
        if (route.Distribution.ErrorPageFor(response.Status) is { } errorPage && await ErrorPageAsync(context, route, errorPage) is { } page)
        {
            response = page with { Status = errorPage.ResponseCode ?? response.Status };
        }

        await CachedResponseWriter.WriteAsync(context, response, xCache, withAge, route.Distribution, time.GetUtcNow());
        Served(context, route.Distribution.Id, result, started);
    }

    /// <summary>
    /// The custom error page, fetched and cached as any object of the distribution (so a purge reaches it), or null
    /// when it cannot be had as a 2xx: then the error itself is served.
    /// </summary>
    private async Task<CachedResponse?> ErrorPageAsync(HttpContext context, ViewerRoute route, ErrorPage errorPage)
    {
        var key = EdgeKeys.Object(route.Scope, errorPage.Target);
        if (copies.TryGet(key, time.GetUtcNow(), out var held))
        {
            return Usable(held);
        }

        var query = errorPage.Target.IndexOf('?');
        var profile = route.Distribution.BehaviorFor(query < 0 ? errorPage.Target : errorPage.Target.AsSpan(0, query)).Profile;
        var lookupStarted = time.GetTimestamp();
        try
        {
            var lookup = await objects.LookupAsync(key, profile, relay: false);
            return lookup.Response is { } page && lookup.Outcome is LookupOutcome.Hit or LookupOutcome.Miss or LookupOutcome.RefreshHit
                && copies.Admit(key, route.Scope, route.Distribution.TagHeader, page, lookupStarted)
                ? Usable(page)
                : null;
        }
        catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            LogLookupFailed(logger, exception, route.Distribution.Id);
            return null;
        }

        static CachedResponse? Usable(CachedResponse page) => page.Status is >= 200 and < 300 ? page : null;
    }

    /// <summary>
    /// Whether the viewer's request is answered by the whole origin response as it is, so a body too large to store can
    /// be relayed to it from the fill: a plain GET, without a range or a condition (those are the origin's to answer).
    /// </summary>
    private static bool CanTakeRelay(HttpRequest request)
    {
        var headers = request.Headers;
        return HttpMethods.IsGet(request.Method) && headers.Range.Count == 0 && headers.IfRange.Count == 0
            && headers.IfNoneMatch.Count == 0 && headers.IfModifiedSince.Count == 0
            && headers.IfMatch.Count == 0 && headers.IfUnmodifiedSince.Count == 0;
    }

    /// <param name="relayed">A body too large to store that the object grain fetched for this request and holds for it.</param>
    private async Task PassAsync(HttpContext context, Distribution distribution, string target, long started, (ICachedObjectGrain Grain, RelayedResponse Response)? relayed = null)
    {
        if (relayed is not { } relay || !await passThrough.RelayAsync(context, distribution, relay.Grain, relay.Response))
        {
            await passThrough.ForwardAsync(context, distribution, target);
        }

        metrics.RecordBytes(distribution.Id, fromCache: false, context.Response.ContentLength ?? 0);
        Served(context, distribution.Id, context.Response.StatusCode >= 500 ? Results.Error : Results.Pass, started);
    }

    /// <summary><c>redirect-to-https</c>: the same URL on the https viewer endpoint, as CloudFront answers it (301).</summary>
    private Task RedirectToHttpsAsync(HttpContext context)
    {
        var host = HostName(context.Request.Headers.Host.ToString()).ToString();
        var authority = host.Contains(':') ? $"[{host}]" : host;
        var port = viewerPorts.HttpsPort is { } https and not 443 ? $":{https}" : "";
        context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
        context.Response.Headers.Location = $"https://{authority}{port}{RequestTarget(context)}";
        ViewerHeaders.WriteEdge(context.Response.Headers, CacheStatus.Error);
        return Task.CompletedTask;
    }

    /// <summary>The methods CloudFront forwards to an origin; any other is refused at the edge.</summary>
    private const string ForwardedMethods = "GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE";

    private static bool IsForwardedMethod(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsPut(method)
        || HttpMethods.IsPost(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    /// <summary>
    /// GET and HEAD without credentials share cached copies. A request carrying Authorization is about one viewer, so
    /// it goes to the origin as sent. Cookies do not make a request private: those outside the cache policy's key
    /// are left out of the fill, as CloudFront does, so an analytics cookie does not cost every viewer a miss.
    /// </summary>
    private static bool IsShareable(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Headers.Authorization.Count == 0;

    /// <summary>The path and query exactly as the viewer sent them: what a pass forwards to the origin.</summary>
    private static string RequestTarget(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (raw is { Length: > 0 } && raw[0] == '/')
        {
            return raw;
        }

        var request = context.Request;
        return (request.PathBase + request.Path).ToUriComponent() + request.QueryString.ToUriComponent();
    }

    /// <summary>The Host header without its port (and without brackets around an IPv6 address).</summary>
    private static ReadOnlySpan<char> HostName(string host)
    {
        var span = host.AsSpan();
        if (span.StartsWith('['))
        {
            var end = span.IndexOf(']');
            return end > 0 ? span[1..end] : span;
        }

        var colon = span.LastIndexOf(':');
        return colon >= 0 ? span[..colon] : span;
    }

    /// <summary>Keys up to this long (nearly all) are assembled on the stack; longer ones on the heap.</summary>
    private const int MaxStackKey = 2048;

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Lookup for distribution {Distribution} failed in the cluster; passing to the origin")]
    private static partial void LogLookupFailed(ILogger logger, Exception exception, string distribution);
}

/// <summary>The ports viewer traffic arrives on (the others are the control plane's), and the https one a redirect goes to.</summary>
internal sealed class ViewerPorts(int[] ports, int? httpsPort)
{
    public int? HttpsPort { get; } = httpsPort;

    public bool Contains(int port)
    {
        foreach (var each in ports)
        {
            if (each == port)
            {
                return true;
            }
        }

        return false;
    }
}

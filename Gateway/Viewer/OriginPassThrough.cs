using Microsoft.AspNetCore.Http.Features;
using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Gateway.Diagnostics;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Interfaces.Origin;
using OrleansEdge.Gateway.Routing;

namespace OrleansEdge.Gateway.Viewer;

/// <summary>
/// Sends a viewer request to the origin and streams the answer back, storing nothing: other methods than
/// GET and HEAD, requests with credentials, responses too large or private to share, and lookups the cluster
/// could not answer. A body too large to store that an object grain has already fetched is relayed from it instead.
/// </summary>
internal sealed partial class OriginPassThrough(IHttpClientFactory httpClientFactory, EdgeMetrics metrics, ILogger<OriginPassThrough> logger)
{
    public async Task ForwardAsync(HttpContext context, Distribution distribution, string target)
    {
        var profile = distribution.Profile;
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), profile.BaseUrl + target);
        request.Options.Set(OriginHttp.ConnectTimeout, profile.ConnectTimeout);
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            request.Content = new StreamContent(new ViewerBodyStream(context.Request.Body));
        }

        CopyRequestHeaders(context, request);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        timeout.CancelAfter(profile.ResponseTimeout);
        HttpResponseMessage upstream;
        try
        {
            upstream = await httpClientFactory.CreateClient(OriginHttp.ClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (OperationCanceledException)
        {
            LogPassFailed(logger, profile.BaseUrl, "timed out");
            await WriteFailureAsync(context, OriginHttp.Failure(null, profile.ResponseTimeout));
            return;
        }
        catch (Exception exception) when (ViewerFault(exception) is { } viewerFault)
        {
            // The viewer's own request body was broken (a bad chunk size, too large): its fault, not the origin's.
            await EdgeErrors.WriteAsync(context, viewerFault.StatusCode,
                $"{viewerFault.StatusCode} {Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(viewerFault.StatusCode)}: {viewerFault.Message}");
            return;
        }
        catch (HttpRequestException exception)
        {
            LogPassFailed(logger, profile.BaseUrl, exception.Message);
            await WriteFailureAsync(context, OriginHttp.Failure(exception, profile.ResponseTimeout));
            return;
        }

        using (upstream)
        {
            var headers = OriginHeaders.Read(upstream, pooled: false, out var dropped);
            metrics.RecordHeadersDropped(dropped);
            WriteHead(context.Response, (int)upstream.StatusCode, headers, upstream.Content.Headers.ContentLength, distribution);

            // The timeout covered the wait for headers; a long download is bounded by the viewer, not by it.
            timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            try
            {
                await upstream.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
            }
            catch (Exception exception) when (exception is IOException or HttpRequestException or OperationCanceledException)
            {
                BodyBroken(context, profile.BaseUrl, exception);
            }
        }
    }

    /// <summary>
    /// Streams to the viewer a body too large to store that its object grain fetched for this very request
    /// (<see cref="RelayedResponse"/>), so the origin is asked once. False, with nothing written, when the grain no
    /// longer holds it (expired, its silo gone): the caller forwards the request itself.
    /// </summary>
    public async Task<bool> RelayAsync(HttpContext context, Distribution distribution, ICachedObjectGrain grain, RelayedResponse relayed)
    {
        // A few chunks a call: the grain sends what the origin has delivered so far, up to this many at once.
        await using var chunks = grain.RelayAsync(relayed.Relay).WithBatchSize(16).GetAsyncEnumerator(context.RequestAborted);
        bool any;
        try
        {
            any = await chunks.MoveNextAsync();
        }
        catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            LogRelayLost(logger, distribution.Profile.BaseUrl, exception.Message);
            return false;
        }

        WriteHead(context.Response, relayed.Status, relayed.Headers, relayed.ContentLength, distribution);
        try
        {
            for (var more = any; more; more = await chunks.MoveNextAsync())
            {
                await context.Response.Body.WriteAsync(chunks.Current, context.RequestAborted);
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            BodyBroken(context, distribution.Profile.BaseUrl, exception);
        }

        return true;
    }

    /// <summary>Status and headers of an answer the origin gave, passed or relayed: the origin's kept headers and the edge's own.</summary>
    private static void WriteHead(HttpResponse response, int status, HeaderField[] headers, long? contentLength, Distribution distribution)
    {
        response.StatusCode = status;
        ViewerHeaders.WriteOrigin(response.Headers, headers, distribution);
        if (contentLength is { } length)
        {
            response.ContentLength = length;
        }

        ViewerHeaders.WriteEdge(response.Headers, status >= 500 ? CacheStatus.Error : CacheStatus.Miss);
    }

    /// <summary>Headers are gone; the only honest signal left is a broken connection.</summary>
    private void BodyBroken(HttpContext context, string origin, Exception exception)
    {
        if (!context.RequestAborted.IsCancellationRequested)
        {
            LogPassFailed(logger, origin, exception.Message);
        }

        context.Abort();
    }

    /// <summary>The viewer-side error that made forwarding fail, when the request body (read as it was sent on) was at fault.</summary>
    private static ViewerBodyException? ViewerFault(Exception exception)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is ViewerBodyException bad)
            {
                return bad;
            }
        }

        return null;
    }

    private static void CopyRequestHeaders(HttpContext context, HttpRequestMessage request)
    {
        var connectionListed = ProxyHeaders.ConnectionListed(context.Request.Headers.Connection);
        foreach (var (name, values) in context.Request.Headers)
        {
            if (ProxyHeaders.IsHopByHop(name) || connectionListed?.Contains(name) == true
                || string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values);
            }
        }

        request.Headers.TryAddWithoutValidation("Via", ProxyHeaders.Via);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", context.Request.Host.Value);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", context.Request.Scheme);
        if (context.Connection.RemoteIpAddress is { } remote)
        {
            var forwardedFor = context.Request.Headers["X-Forwarded-For"];
            request.Headers.Remove("X-Forwarded-For");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For",
                forwardedFor.Count == 0 ? remote.ToString() : $"{forwardedFor}, {remote}");
        }
    }

    private static Task WriteFailureAsync(HttpContext context, (int Status, string Message) failure) =>
        EdgeErrors.WriteOriginFailureAsync(context, failure.Status, failure.Message);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Pass-through to {Origin} failed: {Reason}")]
    private static partial void LogPassFailed(ILogger logger, string origin, string reason);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Information, Message = "A body too large to store, fetched from {Origin}, was no longer held for its viewer ({Reason}); asking the origin again")]
    private static partial void LogRelayLost(ILogger logger, string origin, string reason);
}

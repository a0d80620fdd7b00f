using Microsoft.AspNetCore.Http.Features;
using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Gateway.Diagnostics;
using OrleansEdge.Grains.Interfaces.Origin;
using OrleansEdge.Gateway.Routing;

namespace OrleansEdge.Gateway.Viewer;

/// <summary>
/// Sends a viewer request to the origin and streams the answer back, storing nothing: other methods than
/// GET and HEAD, requests with credentials, responses too large or private to share, and lookups the cluster
/// could not answer.
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
            var response = context.Response;
            response.StatusCode = (int)upstream.StatusCode;
            metrics.RecordHeadersDropped(CopyResponseHeaders(upstream, response.Headers, distribution));
            response.Headers["X-Cache"] = response.StatusCode >= 500 ? CacheStatus.Error : CacheStatus.Miss;
            response.Headers.Via = ProxyHeaders.Via;

            // The timeout covered the wait for headers; a long download is bounded by the viewer, not by it.
            timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            try
            {
                await upstream.Content.CopyToAsync(response.Body, context.RequestAborted);
            }
            catch (Exception exception) when (exception is IOException or HttpRequestException or OperationCanceledException)
            {
                // Headers are gone; the only honest signal left is a broken connection.
                LogPassFailed(logger, profile.BaseUrl, exception.Message);
                context.Abort();
            }
        }
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

    /// <summary>Copies what may be forwarded; returns how many values were dropped as unwritable.</summary>
    private static int CopyResponseHeaders(HttpResponseMessage upstream, IHeaderDictionary headers, Distribution distribution)
    {
        var connectionListed = ProxyHeaders.ConnectionListed(
            upstream.Headers.TryGetValues("Connection", out var connection) ? connection : null);
        var dropped = 0;
        foreach (var (name, values) in upstream.Headers.NonValidated)
        {
            CopyOne(name, values);
        }

        foreach (var (name, values) in upstream.Content.Headers.NonValidated)
        {
            CopyOne(name, values);
        }

        if (upstream.Content.Headers.ContentLength is { } length)
        {
            headers.ContentLength = length;
        }

        return dropped;

        void CopyOne(string name, System.Net.Http.Headers.HeaderStringValues values)
        {
            if (ProxyHeaders.IsStored(name, connectionListed)
                && !(distribution.StripTagHeader && string.Equals(name, distribution.TagHeader, StringComparison.OrdinalIgnoreCase))
                && ProxyHeaders.ForwardableValues(values, ref dropped) is { Length: > 0 } kept)
            {
                headers[name] = kept;
            }
        }
    }

    private static Task WriteFailureAsync(HttpContext context, (int Status, string Message) failure) =>
        EdgeErrors.WriteOriginFailureAsync(context, failure.Status, failure.Message);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Pass-through to {Origin} failed: {Reason}")]
    private static partial void LogPassFailed(ILogger logger, string origin, string reason);
}

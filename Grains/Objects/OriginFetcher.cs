using System.Buffers;
using Microsoft.Extensions.Logging;
using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Interfaces.Origin;
using OrleansEdge.Grains.Interfaces.Caching;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Objects;

/// <summary>Fetches one object from its origin for an object grain, within the distribution's limits.</summary>
/// <remarks>
/// Touches no grain state, so its awaits do not return to the calling grain's scheduler: the response's head and each
/// read of its body continue on the thread that completed them, and only the finished fetch goes back to the grain
/// (one turn, not one per read of a large body).
/// </remarks>
internal sealed partial class OriginFetcher(IHttpClientFactory httpClientFactory, GrainMetrics metrics, ILogger<OriginFetcher> logger)
{
    /// <summary>
    /// Fetches <paramref name="target"/> with the request headers of <paramref name="variant"/> (the headers and cookies
    /// its cache key holds, <see cref="EdgeKeys"/>) and no other viewer header: what is not in the key must not
    /// shape what is stored under it. <paramref name="keepTooLarge"/>: a body past the limit is kept open
    /// (<see cref="OriginFetch.Relay"/>) for the viewer who asked, rather than dropped.
    /// </summary>
    public async Task<OriginFetch> FetchAsync(string target, string variant, OriginProfile profile, CachedResponse? revalidating, bool keepTooLarge)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, profile.BaseUrl + target);
        request.Options.Set(OriginHttp.ConnectTimeout, profile.ConnectTimeout);
        request.Headers.TryAddWithoutValidation("Via", ProxyHeaders.Via);
        foreach (var (name, value) in EdgeKeys.VariantHeaders(variant))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (revalidating?.ETag is { } etag)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        }
        else if (revalidating?.LastModified is { } lastModified)
        {
            request.Headers.IfModifiedSince = lastModified;
        }

        var allowed = profile.ResponseTimeout < OriginProfile.MaxResponseTimeout ? profile.ResponseTimeout : OriginProfile.MaxResponseTimeout;
        using var timeout = new CancellationTokenSource(allowed);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        HttpResponseMessage? response = null;
        try
        {
            response = await httpClientFactory.CreateClient(OriginHttp.ClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var headers = OriginHeaders.Read(response, pooled: true, out var dropped);
            metrics.RecordHeadersDropped(dropped);
            if (status == 304 && revalidating is not null)
            {
                metrics.RecordOriginFetch(GrainMetrics.FetchResults.NotModified, started);
                return new OriginFetch(OriginFetchKind.NotModified, status, headers, []);
            }

            if (response.Content.Headers.ContentLength > profile.MaxBodyBytes)
            {
                return TooLarge(ref response, opened: null, readAlready: [], headers);
            }

            var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            var (body, readAlready) = await ReadBodyAsync(stream, response.Content.Headers.ContentLength, profile.MaxBodyBytes, timeout.Token).ConfigureAwait(false);
            if (body is null)
            {
                return TooLarge(ref response, stream, readAlready, headers);
            }

            metrics.RecordOriginFetch(status >= 500 ? GrainMetrics.FetchResults.OriginError : GrainMetrics.FetchResults.Ok, started, body.Length);
            return new OriginFetch(OriginFetchKind.Response, status, headers, body);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            metrics.RecordOriginFetch(GrainMetrics.FetchResults.Timeout, started);
            LogOriginTimedOut(logger, profile.BaseUrl, allowed.TotalMilliseconds);
            var (status, message) = OriginHttp.Failure(null, allowed);
            return OriginFetch.Failed(status, message);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or TimeoutException)
        {
            metrics.RecordOriginFetch(OriginHttp.IsTimeout(exception) ? GrainMetrics.FetchResults.Timeout : GrainMetrics.FetchResults.Unreachable, started);
            LogOriginFailed(logger, profile.BaseUrl, exception.Message);
            var (status, message) = OriginHttp.Failure(exception, allowed);
            return OriginFetch.Failed(status, message);
        }
        finally
        {
            response?.Dispose();
        }

        // A kept response is the relay's to dispose, no longer this method's.
        OriginFetch TooLarge(ref HttpResponseMessage? response, Stream? opened, byte[] readAlready, HeaderField[] headers)
        {
            metrics.RecordOriginFetch(GrainMetrics.FetchResults.TooLarge, started);
            if (!keepTooLarge)
            {
                return OriginFetch.TooLarge;
            }

            var relay = new OriginRelay(response!, opened, readAlready, profile.ResponseTimeout);
            response = null;
            return new OriginFetch(OriginFetchKind.TooLarge, relay.Status, headers, [], Relay: relay);
        }
    }

    /// <summary>
    /// Reads the whole body; or, as soon as it grows past <paramref name="limit"/>, stops and returns null with the
    /// bytes read so far.
    /// </summary>
    private static async Task<(byte[]? Body, byte[] ReadAlready)> ReadBodyAsync(Stream stream, long? length, long limit, CancellationToken cancellationToken)
    {
        if (length is { } known)
        {
            var exact = new byte[known];
            await stream.ReadExactlyAsync(exact, cancellationToken).ConfigureAwait(false);
            return (exact, []);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var used = 0;
        try
        {
            while (true)
            {
                if (used == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, used).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(used), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer.AsSpan(0, used).ToArray(), []);
                }

                used += read;
                if (used > limit)
                {
                    return (null, buffer.AsSpan(0, used).ToArray());
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Origin {Origin} timed out after {TimeoutMs} ms")]
    private static partial void LogOriginTimedOut(ILogger logger, string origin, double timeoutMs);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Origin {Origin} failed: {Reason}")]
    private static partial void LogOriginFailed(ILogger logger, string origin, string reason);
}

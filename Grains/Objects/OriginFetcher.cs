using System.Buffers;
using Microsoft.Extensions.Logging;
using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Interfaces.Origin;
using OrleansEdge.Grains.Interfaces.Caching;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Objects;

/// <summary>Fetches one object from its origin for an object grain, within the distribution's limits.</summary>
internal sealed partial class OriginFetcher(IHttpClientFactory httpClientFactory, GrainMetrics metrics, ILogger<OriginFetcher> logger)
{
    /// <summary>
    /// Fetches <paramref name="target"/> with the request headers of <paramref name="variant"/> (the headers and cookies
    /// its cache key holds, <see cref="EdgeKeys"/>) and no other viewer header: what is not in the key must not
    /// shape what is stored under it.
    /// </summary>
    public async Task<OriginFetch> FetchAsync(string target, string variant, OriginProfile profile, CachedResponse? revalidating)
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
        try
        {
            using var response = await httpClientFactory.CreateClient(OriginHttp.ClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            var headers = CopyHeaders(response);
            if (status == 304 && revalidating is not null)
            {
                metrics.RecordOriginFetch(GrainMetrics.FetchResults.NotModified, started);
                return new OriginFetch(OriginFetchKind.NotModified, status, headers, []);
            }

            if (response.Content.Headers.ContentLength > profile.MaxBodyBytes)
            {
                metrics.RecordOriginFetch(GrainMetrics.FetchResults.TooLarge, started);
                return OriginFetch.TooLarge;
            }

            var body = await ReadBodyAsync(response.Content, profile.MaxBodyBytes, timeout.Token);
            if (body is null)
            {
                metrics.RecordOriginFetch(GrainMetrics.FetchResults.TooLarge, started);
                return OriginFetch.TooLarge;
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
    }

    private HeaderField[] CopyHeaders(HttpResponseMessage response)
    {
        var connectionListed = ProxyHeaders.ConnectionListed(
            response.Headers.TryGetValues("Connection", out var connection) ? connection : null);
        var fields = new List<HeaderField>();
        var dropped = 0;
        foreach (var (name, values) in response.Headers.NonValidated)
        {
            Add(name, values, ref dropped);
        }

        foreach (var (name, values) in response.Content.Headers.NonValidated)
        {
            Add(name, values, ref dropped);
        }

        metrics.RecordHeadersDropped(dropped);
        return [.. fields];

        void Add(string name, System.Net.Http.Headers.HeaderStringValues values, ref int dropped)
        {
            if (ProxyHeaders.IsStored(name, connectionListed) && ProxyHeaders.ForwardableValues(values, ref dropped) is { Length: > 0 } kept)
            {
                // Stored with the copy: a value many responses share (Content-Type, a Date of the same second) is kept once.
                for (var i = 0; i < kept.Length; i++)
                {
                    kept[i] = StringPool.Shared.Intern(kept[i]);
                }

                fields.Add(new HeaderField(name, kept));
            }
        }
    }

    /// <summary>Reads the whole body, or returns null as soon as it grows past <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContent content, long limit, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        if (content.Headers.ContentLength is { } length)
        {
            var exact = new byte[length];
            await stream.ReadExactlyAsync(exact, cancellationToken);
            return exact;
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

                var read = await stream.ReadAsync(buffer.AsMemory(used), cancellationToken);
                if (read == 0)
                {
                    return buffer.AsSpan(0, used).ToArray();
                }

                used += read;
                if (used > limit)
                {
                    return null;
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

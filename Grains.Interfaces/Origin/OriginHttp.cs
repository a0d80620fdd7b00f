using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansEdge.Grains.Interfaces.Origin;

/// <summary>The one HTTP client configuration used for every origin request, cached or passed through.</summary>
public static class OriginHttp
{
    public const string ClientName = "orleansedge-origin";

    /// <summary>Largest origin response head accepted, in KiB: well past any tag header a distribution allows.</summary>
    public const int MaxResponseHeadersKilobytes = 1024;

    /// <summary>Per-request connect timeout, read by the connect callback (handlers are shared across distributions).</summary>
    public static readonly HttpRequestOptionsKey<TimeSpan> ConnectTimeout = new("orleansedge.connect-timeout");

    public static IServiceCollection AddOriginHttpClient(this IServiceCollection services)
    {
        services.AddHttpClient(ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler
            {
                // A proxy hands redirects, encodings and cookies to the viewer untouched.
                AllowAutoRedirect = false,
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                UseCookies = false,
                UseProxy = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                MaxConnectionsPerServer = 512,
                ConnectCallback = ConnectAsync,

                // Header bytes outside ASCII (obs-text) are read and written as Latin-1, byte for byte, as they came.
                ResponseHeaderEncodingSelector = static (_, _) => System.Text.Encoding.Latin1,
                RequestHeaderEncodingSelector = static (_, _) => System.Text.Encoding.Latin1,

                // Origins may send long tag lists; the tag header's own limit is a distribution setting
                // (CacheTags:MaxHeaderBytes), checked when the response is stored. Beyond this the origin is broken.
                MaxResponseHeadersLength = MaxResponseHeadersKilobytes,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)

            // The factory's own logging handlers open a log scope (an async-local write) for every request, even when
            // nothing is logged: on every miss and every pass. The edge logs origin failures itself (OriginFetcher,
            // OriginPassThrough), and the access log has every request.
            .RemoveAllLoggers();
        return services;
    }

    /// <summary>Whether an exception from an origin request means the origin was too slow (504) rather than broken (502).</summary>
    public static bool IsTimeout(Exception exception) =>
        exception is TimeoutException || exception.InnerException is TimeoutException;

    /// <summary>
    /// The one answer to an origin that failed, for a cache fill and a pass-through alike: <c>504</c> when it did not
    /// answer within <paramref name="allowed"/> (<paramref name="exception"/> null) or did not accept a connection in
    /// time, else <c>502</c>.
    /// </summary>
    public static (int Status, string Message) Failure(Exception? exception, TimeSpan allowed) =>
        exception is null
            ? (504, $"The origin did not answer within {allowed.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s.")
            : IsTimeout(exception)
                ? (504, "The origin did not accept a connection in time.")
                : (502, "The origin could not be reached or sent an invalid response.");

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var timeout = context.InitialRequestMessage.Options.TryGetValue(ConnectTimeout, out var configured)
            ? configured
            : TimeSpan.FromSeconds(5);
        using var connectCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectCancellation.CancelAfter(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, connectCancellation.Token);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"Connecting to {context.DnsEndPoint.Host}:{context.DnsEndPoint.Port} took longer than {timeout.TotalSeconds:0.###} s.");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

using System.Net;

namespace OrleansEdge.Gateway.Hosting;

/// <summary>One address a port of the edge listens on, in plain HTTP or over TLS.</summary>
internal sealed record ListenEndpoint(IPEndPoint EndPoint, bool Https)
{
    public int Port => EndPoint.Port;
}

/// <summary>
/// <c>Edge:Listen:Viewer</c> and <c>Control</c>: one URL or several separated by <c>;</c>, each <c>http://</c> or
/// <c>https://</c> with an IP address (or <c>localhost</c>) and a port, such as
/// <c>http://127.0.0.1:8080;https://127.0.0.1:8443</c>: a CDN answers on both, to redirect viewers to TLS.
/// </summary>
internal static class ListenEndpoints
{
    /// <summary>Every endpoint of <paramref name="value"/>, or null when one of its URLs is not a listen URL.</summary>
    public static IReadOnlyList<ListenEndpoint>? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var endpoints = new List<ListenEndpoint>();
        foreach (var url in value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (ParseOne(url) is not { } endpoint)
            {
                return null;
            }

            endpoints.Add(endpoint);
        }

        return endpoints.Count == 0 ? null : endpoints;
    }

    private static ListenEndpoint? ParseOne(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
        {
            return null;
        }

        var host = uri.Host.Trim('[', ']');
        var address = IPAddress.TryParse(host, out var parsed) ? parsed : uri.IsLoopback ? IPAddress.Loopback : null;
        return address is null ? null : new ListenEndpoint(new IPEndPoint(address, uri.Port), uri.Scheme == Uri.UriSchemeHttps);
    }
}

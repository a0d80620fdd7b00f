namespace OrleansEdge.Grains.Interfaces.Origin;

/// <summary>Which headers a proxy must not forward or store (RFC 9110 §7.6.1).</summary>
public static class ProxyHeaders
{
    public const string Via = "1.1 orleansedge";

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
        "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    // Recomputed by the edge for every response it writes.
    private static readonly HashSet<string> Recomputed = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Age", "X-Cache", "Via",
    };

    public static bool IsHopByHop(string name) => HopByHop.Contains(name);

    /// <summary>Whether a response header is kept with a stored copy.</summary>
    public static bool IsStored(string name, IReadOnlySet<string>? connectionListed) =>
        !HopByHop.Contains(name) && !Recomputed.Contains(name) && connectionListed?.Contains(name) != true;

    /// <summary>
    /// Whether a header value can be written to a viewer as it came: visible ASCII, spaces and tabs, and obs-text
    /// (RFC 9110 §5.5: bytes 0x80–0xFF, which both ends carry as Latin-1). A control character cannot be written at
    /// all, so a value holding one is dropped (and counted) rather than failing the whole response.
    /// </summary>
    public static bool IsForwardable(string value)
    {
        foreach (var c in value)
        {
            if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The values of one origin header that can be forwarded; <paramref name="dropped"/> counts the others.</summary>
    public static string[] ForwardableValues(System.Net.Http.Headers.HeaderStringValues values, ref int dropped)
    {
        var kept = new string[values.Count];
        var count = 0;
        foreach (var value in values)
        {
            if (IsForwardable(value))
            {
                kept[count++] = value;
            }
            else
            {
                dropped++;
            }
        }

        return count == kept.Length ? kept : kept[..count];
    }

    /// <summary>The extra hop-by-hop headers a message names in its Connection header.</summary>
    public static IReadOnlySet<string>? ConnectionListed(IEnumerable<string>? connectionValues)
    {
        if (connectionValues is null)
        {
            return null;
        }

        HashSet<string>? names = null;
        foreach (var value in connectionValues)
        {
            foreach (var range in value.AsSpan().Split(','))
            {
                var token = value.AsSpan(range).Trim();
                if (!token.IsEmpty)
                {
                    (names ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase)).Add(token.ToString());
                }
            }
        }

        return names;
    }
}

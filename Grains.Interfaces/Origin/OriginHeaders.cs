using OrleansEdge.Grains.Interfaces.Caching;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Interfaces.Origin;

/// <summary>
/// The one reading of an origin response's headers, for a copy to store and for a response passed through alike:
/// what a proxy may keep (<see cref="ProxyHeaders.IsStored"/>) with the values a viewer can be sent.
/// </summary>
public static class OriginHeaders
{
    /// <summary>
    /// The headers to keep; <paramref name="dropped"/> counts values dropped as unwritable. <paramref name="pooled"/>:
    /// values go through <see cref="StringPool"/>, for a copy that stays in memory beside many others.
    /// </summary>
    public static HeaderField[] Read(HttpResponseMessage response, bool pooled, out int dropped)
    {
        var connectionListed = ProxyHeaders.ConnectionListed(
            response.Headers.TryGetValues("Connection", out var connection) ? connection : null);
        var fields = new List<HeaderField>();
        dropped = 0;
        foreach (var (name, values) in response.Headers.NonValidated)
        {
            Add(name, values, ref dropped);
        }

        foreach (var (name, values) in response.Content.Headers.NonValidated)
        {
            Add(name, values, ref dropped);
        }

        return [.. fields];

        void Add(string name, System.Net.Http.Headers.HeaderStringValues values, ref int dropped)
        {
            if (ProxyHeaders.IsStored(name, connectionListed) && ProxyHeaders.ForwardableValues(values, ref dropped) is { Length: > 0 } kept)
            {
                if (pooled)
                {
                    // A value many responses share (Content-Type, a Date of the same second) is kept once, and so is a
                    // name the HTTP client does not know (x-amz-meta-cache-tag), which it reads into a new string each time.
                    for (var i = 0; i < kept.Length; i++)
                    {
                        kept[i] = StringPool.Shared.Intern(kept[i]);
                    }

                    name = StringPool.Shared.Intern(name);
                }

                fields.Add(new HeaderField(name, kept));
            }
        }
    }
}

using OrleansEdge.Gateway.Routing;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Interfaces.Origin;

namespace OrleansEdge.Gateway.Viewer;

/// <summary>The headers of every answer from the origin or a copy of it: the origin's as kept, and the edge's own.</summary>
internal static class ViewerHeaders
{
    /// <summary>
    /// The origin's headers as <see cref="OriginHeaders.Read"/> kept them, less what the distribution hides from viewers;
    /// <paramref name="only"/>: just these (a 304 carries a few).
    /// </summary>
    public static void WriteOrigin(IHeaderDictionary headers, HeaderField[] fields, Distribution distribution, IReadOnlySet<string>? only = null)
    {
        foreach (var field in fields)
        {
            if (only?.Contains(field.Name) == false || distribution.HidesHeader(field.Name))
            {
                continue;
            }

            headers[field.Name] = field.Values;
        }
    }

    /// <summary>What the edge says of itself: where the answer came from (X-Cache) and that it passed through it (Via).</summary>
    public static void WriteEdge(IHeaderDictionary headers, string xCache)
    {
        headers["X-Cache"] = xCache;
        headers.Via = ProxyHeaders.Via;
    }
}

using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Interfaces.Tags;

namespace OrleansEdge.Grains.Objects;

/// <summary>The tags a response carries, read under its distribution's current tag header and separator (SPEC §4).</summary>
internal static class ObjectTags
{
    /// <summary>
    /// The response's tags ([] when tags are off or it has none), or null when its tag header is too long to be
    /// indexed: then it is served, not stored. Invalid and surplus tags are counted.
    /// </summary>
    public static string[]? Read(HeaderField[] headers, OriginProfile origin, GrainMetrics metrics)
    {
        if (origin.TagHeader is not { } tagHeader)
        {
            return [];
        }

        foreach (var header in headers)
        {
            if (string.Equals(header.Name, tagHeader, StringComparison.OrdinalIgnoreCase))
            {
                var length = 0L;
                foreach (var value in header.Values)
                {
                    length += value!.Length;
                }

                if (length > origin.MaxTagHeaderBytes)
                {
                    metrics.RecordOversizeTagHeader();
                    return null;
                }

                var parsed = CacheTagRules.Parse(header.Values!, origin.TagSeparator);
                metrics.RecordInvalidTags(parsed.Invalid + parsed.BeyondLimit);
                return parsed.Tags;
            }
        }

        return [];
    }
}

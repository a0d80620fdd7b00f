using Microsoft.Net.Http.Headers;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Gateway.Viewer;

/// <summary>What a <c>Range</c> request gets from a stored copy (SPEC §3a, RFC 9110 §14).</summary>
internal enum RangeAnswer
{
    /// <summary>No range asked for, one the edge ignores (several ranges, another unit), or an <c>If-Range</c> that no longer matches: 200.</summary>
    Whole,

    /// <summary>One satisfiable range: 206 with <c>Content-Range</c>.</summary>
    Partial,

    /// <summary>A range wholly beyond the body: 416 with <c>Content-Range: bytes */length</c>.</summary>
    Unsatisfiable,
}

/// <summary>
/// Answers <c>Range: bytes=…</c> from a stored copy, so that a video player seeking within cached media is served by
/// the edge. One range per request, as players ask; a request for several gets the whole body, which RFC 9110
/// §14.2 allows.
/// </summary>
internal static class ByteRanges
{
    public static RangeAnswer Evaluate(IHeaderDictionary request, CachedResponse cached, out long start, out long length)
    {
        start = 0;
        length = cached.Body.Length;
        var range = request.Range;
        if (range.Count != 1 || cached.Status != StatusCodes.Status200OK || !IfRangeHolds(request, cached))
        {
            return RangeAnswer.Whole;
        }

        var text = range[0].AsSpan().Trim();
        if (!text.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || text.Contains(','))
        {
            return RangeAnswer.Whole;
        }

        var spec = text[6..].Trim();
        var dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return RangeAnswer.Whole;
        }

        var size = (long)cached.Body.Length;
        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.IsEmpty)
        {
            // A suffix: the last N bytes.
            if (!long.TryParse(last, System.Globalization.NumberStyles.None, null, out var suffix))
            {
                return RangeAnswer.Whole;
            }

            if (suffix == 0 || size == 0)
            {
                return RangeAnswer.Unsatisfiable;
            }

            length = Math.Min(suffix, size);
            start = size - length;
            return RangeAnswer.Partial;
        }

        if (!long.TryParse(first, System.Globalization.NumberStyles.None, null, out var from))
        {
            return RangeAnswer.Whole;
        }

        long to;
        if (last.IsEmpty)
        {
            to = size - 1;
        }
        else if (!long.TryParse(last, System.Globalization.NumberStyles.None, null, out to) || to < from)
        {
            // An invalid range is ignored, not refused (RFC 9110 §14.1.1).
            return RangeAnswer.Whole;
        }

        if (from >= size)
        {
            return RangeAnswer.Unsatisfiable;
        }

        start = from;
        length = Math.Min(to, size - 1) - from + 1;
        return RangeAnswer.Partial;
    }

    /// <summary><c>If-Range</c> (RFC 9110 §13.1.5): the range only if the copy is still the one named, by strong ETag or exact date.</summary>
    private static bool IfRangeHolds(IHeaderDictionary request, CachedResponse cached)
    {
        var ifRange = request.IfRange;
        if (ifRange.Count == 0)
        {
            return true;
        }

        var value = ifRange.ToString().Trim();
        if (value.StartsWith('"') || value.StartsWith("W/", StringComparison.Ordinal))
        {
            return cached.ETag is { } etag
                && EntityTagHeaderValue.TryParse(value, out var asked)
                && EntityTagHeaderValue.TryParse(etag, out var stored)
                && asked.Compare(stored, useStrongComparison: true);
        }

        return cached.LastModified is { } lastModified
            && HeaderUtilities.TryParseDate(value, out var date)
            && date == lastModified;
    }
}

using System.Globalization;
using Microsoft.Net.Http.Headers;
using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Grains.Interfaces.Origin;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Gateway.Routing;

namespace OrleansEdge.Gateway.Viewer;

/// <summary>Writes a stored response to a viewer: its headers as stored, the edge's own, and the body bytes as they are.</summary>
internal static class CachedResponseWriter
{
    // RFC 9110 §15.4.5: a 304 carries the headers a 200 would have that describe the representation's metadata.
    private static readonly HashSet<string> NotModifiedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Last-Modified", "Vary",
    };

    public static Task WriteAsync(HttpContext context, CachedResponse cached, string xCache, bool withAge, Distribution distribution, DateTimeOffset now)
    {
        var response = context.Response;
        var headers = response.Headers;
        var notModified = cached.Status == 200 && IsNotModified(context.Request.Headers, cached);
        response.StatusCode = notModified ? StatusCodes.Status304NotModified : cached.Status;
        ViewerHeaders.WriteOrigin(headers, cached.Headers, distribution, notModified ? NotModifiedHeaders : null);
        ViewerHeaders.WriteEdge(headers, xCache);
        if (withAge)
        {
            var age = Math.Max(0, (long)(now - cached.Received).TotalSeconds) + cached.OriginAge;
            headers.Age = AgeText(age);
        }

        if (notModified || cached.Status is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
        {
            return Task.CompletedTask;
        }

        if (cached.Status == StatusCodes.Status200OK)
        {
            headers.AcceptRanges = BytesUnit;
        }

        var answer = ByteRanges.Evaluate(context.Request.Headers, cached, out var start, out var length);
        if (answer == RangeAnswer.Unsatisfiable)
        {
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            headers.ContentRange = $"bytes */{cached.Body.Length}";
            response.ContentLength = 0;
            return Task.CompletedTask;
        }

        if (answer == RangeAnswer.Partial)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            headers.ContentRange = $"bytes {start}-{start + length - 1}/{cached.Body.Length}";
        }

        response.ContentLength = length;
        return HttpMethods.IsHead(context.Request.Method) || length == 0
            ? Task.CompletedTask
            : response.Body.WriteAsync(cached.Body, (int)start, (int)length, context.RequestAborted);
    }

    private const string BytesUnit = "bytes";

    // Ages under an hour are written from strings made once, so a hit allocates nothing for its Age header.
    private static readonly string?[] AgeTexts = new string?[3600];

    private static string AgeText(long age) =>
        age < AgeTexts.Length ? AgeTexts[age] ??= age.ToString(CultureInfo.InvariantCulture) : age.ToString(CultureInfo.InvariantCulture);

    /// <summary>RFC 9110 §13.1.2–13.1.3: If-None-Match (weak comparison) wins; If-Modified-Since only without it.</summary>
    internal static bool IsNotModified(IHeaderDictionary request, CachedResponse cached)
    {
        var ifNoneMatch = request.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            if (cached.ETag is null || !EntityTagHeaderValue.TryParse(cached.ETag, out var stored))
            {
                return false;
            }

            if (!EntityTagHeaderValue.TryParseList(ifNoneMatch, out var candidates))
            {
                return false;
            }

            foreach (var candidate in candidates)
            {
                if (candidate.Equals(EntityTagHeaderValue.Any) || candidate.Compare(stored, useStrongComparison: false))
                {
                    return true;
                }
            }

            return false;
        }

        return cached.LastModified is { } lastModified
            && request.IfModifiedSince.Count > 0
            && HeaderUtilities.TryParseDate(request.IfModifiedSince.ToString(), out var since)
            && lastModified <= since;
    }
}

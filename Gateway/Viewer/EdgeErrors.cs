using OrleansEdge.Grains.Interfaces.Origin;

namespace OrleansEdge.Gateway.Viewer;

/// <summary>Short plain-text answers the edge gives when it has nothing else to serve.</summary>
internal static class EdgeErrors
{
    public static Task WriteAsync(HttpContext context, int status, string message, string? allow = null)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return Task.CompletedTask;
        }

        response.Clear();
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        ViewerHeaders.WriteEdge(response.Headers, CacheStatus.Error);
        response.Headers.CacheControl = "no-store";
        if (allow is not null)
        {
            response.Headers.Allow = allow;
        }

        return response.WriteAsync(message + "\n", context.RequestAborted);
    }

    /// <summary>An origin's failure (<see cref="OriginHttp.Failure"/>), as a fill and a pass-through both answer it.</summary>
    public static Task WriteOriginFailureAsync(HttpContext context, int status, string message) =>
        WriteAsync(context, status, $"{status} {Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status)}: {message}");
}

using System.Diagnostics;

namespace OrleansEdge.Gateway.Viewer;

/// <summary>
/// One line per viewer request (SPEC §3b), through the logging pipeline like every other line, so it goes wherever
/// the operator ships logs (console, JSON). Off by default (<c>Edge:AccessLog:Enabled</c>); while off it costs a
/// hit one flag read. Its category, <c>OrleansEdge.Gateway.Viewer.AccessLog</c>, can be filtered on its own.
/// </summary>
internal sealed partial class AccessLog(ILogger<AccessLog> logger)
{
    public void Write(HttpContext context, string distribution, string result, long started)
    {
        var request = context.Request;
        var bytes = HttpMethods.IsHead(request.Method) ? 0 : context.Response.ContentLength ?? 0;
        LogRequest(logger, request.Method, request.Host.Value ?? "", RequestTarget(context), context.Response.StatusCode, result, bytes,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds, distribution);
    }

    private static string RequestTarget(HttpContext context) =>
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw
            : context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent();

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information,
        Message = "{Method} {Host} {Target} {Status} {Result} {Bytes} {DurationMs:0.###} {Distribution}")]
    private static partial void LogRequest(ILogger logger, string method, string host, string target, int status, string result,
        long bytes, double durationMs, string distribution);
}

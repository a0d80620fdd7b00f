using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Gateway.Routing;
using OrleansEdge.Grains.Interfaces.Retries;

namespace OrleansEdge.Gateway.ControlPlane;

/// <summary>
/// The native purge endpoint: tags and paths in JSON, a bearer token, and an answer only once every matching
/// object is gone (SPEC §6). It goes through the same engine, limits and records as the CloudFront API.
/// </summary>
internal static partial class PurgeApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static IEndpointRouteBuilder MapPurgeApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/purge/{distributionId}", (HttpContext context, string distributionId, InvalidationService service, ILogger<InvalidationService> logger) =>
            PurgeAsync(context, distributionId, "", service, logger));
        endpoints.MapPost("/purge/{distributionId}/{tenantId}", (HttpContext context, string distributionId, string tenantId, InvalidationService service, ILogger<InvalidationService> logger) =>
            PurgeAsync(context, distributionId, tenantId, service, logger));
        return endpoints;
    }

    private static async Task<IResult> PurgeAsync(
        HttpContext context, string distributionId, string tenantId, InvalidationService service, ILogger logger)
    {
        var started = Stopwatch.GetTimestamp();
        if (Authenticate(context, service.Options.PurgeToken) is { } denied)
        {
            return denied;
        }

        if (service.FindDistribution(distributionId) is not { } distribution)
        {
            return Problem(StatusCodes.Status404NotFound, $"No distribution has the id '{distributionId}'.");
        }

        var tenant = "";
        if (tenantId.Length > 0)
        {
            if (distribution.FindTenant(tenantId) is not { } configuredTenant)
            {
                return Problem(StatusCodes.Status404NotFound, $"Distribution '{distribution.Id}' has no tenant '{tenantId}'.");
            }

            tenant = configuredTenant;
        }

        PurgeRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<PurgeRequest>(context.Request.Body, Json, context.RequestAborted);
        }
        catch (JsonException exception)
        {
            return Problem(StatusCodes.Status400BadRequest, $"The body is not valid purge JSON ({{\"tags\":[…],\"paths\":[…],\"soft\":false}}): {exception.Message}");
        }

        // Tags are written as the origin sends them; the '#' of the CloudFront form is optional.
        var raw = new List<string>();
        foreach (var tag in body?.Tags ?? [])
        {
            raw.Add(InvalidationItemParser.TagItem(tag));
        }

        foreach (var path in body?.Paths ?? [])
        {
            raw.Add(path ?? "");
        }

        var items = new List<InvalidationItem>(raw.Count);
        foreach (var each in raw)
        {
            if (!InvalidationItemParser.TryParse(each, service.Options.Invalidation.MaxPathLength, out var item, out var error))
            {
                return Problem(StatusCodes.Status400BadRequest, error);
            }

            items.Add(item);
        }

        if (items.Count == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "Name at least one tag or path to purge.");
        }

        if (service.BatchTooLarge(items) is { } tooLarge)
        {
            return Problem(StatusCodes.Status400BadRequest, $"BatchTooLarge: {tooLarge} Split it into several purges.");
        }

        // A purge answers once done, so a cluster failure on the way in (a silo just killed, Redis restarting)
        // is waited out within the purge timeout. Retries carry the same caller reference: one that reached
        // the log before its answer was lost gets that same invalidation back, not a second one.
        var timeout = service.Options.Invalidation.PurgeTimeout;
        var callerReference = $"purge-{Guid.NewGuid():N}";
        InvalidationCreation creation;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                creation = await service.CreateAsync(distribution, tenant, callerReference, [.. raw], [.. items], body!.Soft);
                break;
            }
            catch (Exception exception) when (ClusterFailures.IsClusterFailure(exception))
            {
                var pause = RetryBackoff.Delay(attempt, TimeSpan.FromSeconds(1));
                if (Stopwatch.GetElapsedTime(started) + pause >= timeout || context.RequestAborted.IsCancellationRequested)
                {
                    LogClusterUnavailable(logger, exception);
                    return Problem(StatusCodes.Status503ServiceUnavailable,
                        "The cluster could not record the purge within the purge timeout (a silo or its storage is unavailable); retry it.");
                }

                await Task.Delay(pause, context.RequestAborted);
            }
        }

        if (creation.Record is not { } record)
        {
            return Problem(StatusCodes.Status429TooManyRequests,
                "Too many invalidations are in progress for this distribution; retry when some have completed.");
        }

        var completed = await service.WaitAsync(distribution, tenant, record.Id, timeout - Stopwatch.GetElapsedTime(started));
        var elapsedMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
        return completed is null
            ? Results.Json(new { id = record.Id, status = "InProgress", elapsedMs, error = "Propagation did not finish in time; the invalidation goes on." },
                statusCode: StatusCodes.Status504GatewayTimeout)
            : Results.Json(new
            {
                id = record.Id,
                invalidated = completed.ObjectsInvalidated,
                elapsedMs,
                propagationMs = Math.Round(completed.PropagationTime?.TotalMilliseconds ?? 0, 3),
            });
    }

    private static IResult? Authenticate(HttpContext context, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            // Without a token the validator only lets the control plane listen on loopback: development mode.
            return null;
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problem(StatusCodes.Status401Unauthorized, "A bearer token is required: Authorization: Bearer <Edge:PurgeToken>.");
        }

        var presented = Encoding.UTF8.GetBytes(header[scheme.Length..].Trim());
        if (!CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(token)))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return Problem(StatusCodes.Status401Unauthorized, "The bearer token is not the configured purge token.");
        }

        return null;
    }

    private static IResult Problem(int status, string error) => Results.Json(new { error }, statusCode: status);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "A purge could not be recorded within the purge timeout: the cluster or its storage is unavailable")]
    private static partial void LogClusterUnavailable(ILogger logger, Exception exception);
}

using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using OrleansEdge.Grains.Interfaces.Retries;
using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Gateway.ControlPlane.SigV4;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Gateway.Routing;

namespace OrleansEdge.Gateway.ControlPlane.CloudFront;

/// <summary>
/// The CloudFront invalidation API (2020-05-31) for distributions and distribution tenants, so that
/// <c>aws cloudfront create-invalidation --endpoint-url …</c> works unchanged. Every answer, success or
/// error, is CloudFront's XML.
/// </summary>
internal static partial class InvalidationApi
{
    private const string Version = "/2020-05-31";

    /// <summary>3,000 paths of 4,000 characters fit easily; a body beyond this is refused unread.</summary>
    private const int MaxBodyBytes = 16 * 1024 * 1024;

    private const int DefaultMaxItems = 100;
    private const int LargestMaxItems = 1000;

    public static IEndpointRouteBuilder MapInvalidationApi(this IEndpointRouteBuilder endpoints)
    {
        foreach (var kind in new[] { "distribution", "distribution-tenant" })
        {
            var tenantScoped = kind == "distribution-tenant";
            endpoints.MapPost($"{Version}/{kind}/{{id}}/invalidation", (HttpContext context, string id, InvalidationService service, TimeProvider time, ILogger<InvalidationService> logger) =>
                HandleAsync(context, id, tenantScoped, service, time, logger, static (c, s, target, body) => CreateAsync(c, s, target, body)));
            endpoints.MapGet($"{Version}/{kind}/{{id}}/invalidation/{{invalidationId}}", (HttpContext context, string id, string invalidationId, InvalidationService service, TimeProvider time, ILogger<InvalidationService> logger) =>
                HandleAsync(context, id, tenantScoped, service, time, logger, (c, s, target, _) => GetAsync(c, s, target, invalidationId)));
            endpoints.MapGet($"{Version}/{kind}/{{id}}/invalidation", (HttpContext context, string id, InvalidationService service, TimeProvider time, ILogger<InvalidationService> logger) =>
                HandleAsync(context, id, tenantScoped, service, time, logger, static (c, s, target, _) => ListAsync(c, s, target)));
        }

        return endpoints;
    }

    /// <summary>A distribution, or one of its tenants.</summary>
    private sealed record Target(Distribution Distribution, string Tenant, string Path);

    private delegate Task<IResult> Operation(HttpContext context, InvalidationService service, Target target, ReadOnlyMemory<byte> body);

    private static async Task<IResult> HandleAsync(
        HttpContext context, string id, bool tenantScoped, InvalidationService service, TimeProvider time, ILogger logger, Operation operation)
    {
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        try
        {
            var body = await ReadBodyAsync(context);
            if (body is null)
            {
                return Error(CloudFrontError.BatchTooLarge($"The request body is larger than {MaxBodyBytes} bytes."), requestId);
            }

            if (Authenticate(context, body.Value, service.Options, time) is { } denied)
            {
                return Error(denied, requestId);
            }

            var target = Resolve(id, tenantScoped, service, out var missing);
            return target is null ? Error(missing!, requestId) : await operation(context, service, target, body.Value);
        }
        catch (Exception exception) when (ClusterFailures.IsClusterFailure(exception))
        {
            LogClusterUnavailable(logger, exception);
            return Error(CloudFrontError.ServiceUnavailable(), requestId);
        }

        static IResult Error(CloudFrontError error, string requestId) =>
            Results.Text(InvalidationXml.Error(error, requestId), InvalidationXml.ContentType, statusCode: error.Status);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, InvalidationService service, Target target, ReadOnlyMemory<byte> body)
    {
        var batch = InvalidationXml.Parse(body, out var malformed);
        if (malformed is not null)
        {
            return Failure(context, malformed);
        }

        var options = service.Options.Invalidation;
        var items = new InvalidationItem[batch.Paths.Length];
        for (var i = 0; i < items.Length; i++)
        {
            if (!InvalidationItemParser.TryParse(batch.Paths[i], options.MaxPathLength, out items[i], out var problem))
            {
                return Failure(context, CloudFrontError.InvalidArgument(problem));
            }
        }

        if (service.BatchTooLarge(items) is { } tooLarge)
        {
            return Failure(context, CloudFrontError.BatchTooLarge(tooLarge));
        }

        var creation = await service.CreateAsync(target.Distribution, target.Tenant, batch.CallerReference, batch.Paths, items, soft: false);
        if (creation.Record is not { } record)
        {
            return Failure(context, creation.Rejection == InvalidationRejection.BatchAlreadyExists
                ? CloudFrontError.BatchAlreadyExists(batch.CallerReference)
                : CloudFrontError.TooManyInvalidationsInProgress());
        }

        context.Response.Headers.Location = $"{context.Request.Scheme}://{context.Request.Host}{target.Path}/{record.Id}";
        return Results.Text(InvalidationXml.Invalidation(record), InvalidationXml.ContentType, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAsync(HttpContext context, InvalidationService service, Target target, string invalidationId)
    {
        if (await service.GetAsync(target.Distribution, target.Tenant, invalidationId) is not { } record)
        {
            return Failure(context, CloudFrontError.NoSuchInvalidation(invalidationId));
        }

        // Our additions, beside CloudFront's document: what the invalidation did and how long propagation took.
        context.Response.Headers["x-orleansedge-objects-invalidated"] = record.ObjectsInvalidated.ToString(CultureInfo.InvariantCulture);
        if (record.PropagationTime is { } propagation)
        {
            context.Response.Headers["x-orleansedge-propagation-ms"] = propagation.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
        }

        return Results.Text(InvalidationXml.Invalidation(record), InvalidationXml.ContentType);
    }

    private static async Task<IResult> ListAsync(HttpContext context, InvalidationService service, Target target)
    {
        var query = context.Request.Query;
        var maxItems = DefaultMaxItems;
        if (query["MaxItems"].Count > 0
            && (!int.TryParse(query["MaxItems"], NumberStyles.None, CultureInfo.InvariantCulture, out maxItems) || maxItems < 1 || maxItems > LargestMaxItems))
        {
            return Failure(context, CloudFrontError.InvalidArgument($"MaxItems must be a whole number from 1 to {LargestMaxItems}."));
        }

        var marker = query["Marker"].Count > 0 ? query["Marker"].ToString() : null;
        var page = await service.ListAsync(target.Distribution, target.Tenant, string.IsNullOrEmpty(marker) ? null : marker, maxItems);
        return Results.Text(InvalidationXml.List(page, marker, maxItems), InvalidationXml.ContentType);
    }

    private static Target? Resolve(string id, bool tenantScoped, InvalidationService service, out CloudFrontError? missing)
    {
        missing = null;
        if (tenantScoped)
        {
            if (service.FindTenant(id) is { } owner)
            {
                return new Target(owner.Distribution, owner.Tenant, $"{Version}/distribution-tenant/{owner.Tenant}/invalidation");
            }

            missing = CloudFrontError.EntityNotFound(id);
            return null;
        }

        if (service.FindDistribution(id) is { } distribution)
        {
            return new Target(distribution, "", $"{Version}/distribution/{distribution.Id}/invalidation");
        }

        missing = CloudFrontError.NoSuchDistribution(id);
        return null;
    }

    /// <summary>
    /// With credentials configured, every request must carry a valid SigV4 signature. Without any, start-up
    /// only allows a loopback control plane, and unsigned requests are accepted (development).
    /// </summary>
    private static CloudFrontError? Authenticate(HttpContext context, ReadOnlyMemory<byte> body, EdgeOptions options, TimeProvider time)
    {
        if (options.Credentials.Count == 0)
        {
            return null;
        }

        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.ToUriComponent();
        var question = raw.IndexOf('?');
        var headers = context.Request.Headers;
        var request = new SignedRequest(
            context.Request.Method,
            question < 0 ? raw : raw[..question],
            question < 0 ? "" : raw[(question + 1)..],
            name => headers[name].Where(static v => v is not null).Select(static v => v!).ToArray(),
            body);
        return SigV4Verifier.Verify(request, options.Credentials, time.GetUtcNow()) is { } problem ? CloudFrontError.AccessDenied(problem) : null;
    }

    /// <summary>The whole body (SigV4 signs its hash), or null when it is larger than the API ever needs.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static IResult Failure(HttpContext context, CloudFrontError error) =>
        Results.Text(InvalidationXml.Error(error, context.Response.Headers["x-amzn-RequestId"].ToString()), InvalidationXml.ContentType, statusCode: error.Status);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "The cluster did not answer an invalidation API call")]
    private static partial void LogClusterUnavailable(ILogger logger, Exception exception);
}

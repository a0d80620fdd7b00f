namespace OrleansEdge.Gateway.ControlPlane.CloudFront;

/// <summary>A CloudFront API error: its code, HTTP status and message, written in CloudFront's XML shape.</summary>
internal sealed record CloudFrontError(int Status, string Code, string Message)
{
    public static CloudFrontError AccessDenied(string message) => new(403, "AccessDenied", $"Access denied. {message}");

    public static CloudFrontError NoSuchDistribution(string id) => new(404, "NoSuchDistribution", $"The specified distribution does not exist: {id}.");

    public static CloudFrontError EntityNotFound(string id) => new(404, "EntityNotFound", $"The specified distribution tenant does not exist: {id}.");

    public static CloudFrontError NoSuchInvalidation(string id) => new(404, "NoSuchInvalidation", $"The specified invalidation does not exist: {id}.");

    public static CloudFrontError InvalidArgument(string message) => new(400, "InvalidArgument", message);

    public static CloudFrontError MalformedXml(string message) => new(400, "MalformedXML", $"The XML you provided was not well-formed or did not validate against the schema: {message}");

    public static CloudFrontError MissingBody() => new(400, "MissingBody", "This operation requires a body: an InvalidationBatch document.");

    public static CloudFrontError InconsistentQuantities(int quantity, int items) =>
        new(400, "InconsistentQuantities", $"The value of Quantity ({quantity}) and the number of Items ({items}) do not match.");

    public static CloudFrontError BatchTooLarge(string message) => new(413, "BatchTooLarge", message);

    public static CloudFrontError TooManyInvalidationsInProgress() =>
        new(400, "TooManyInvalidationsInProgress", "Processing your request would cause the maximum number of in-progress invalidations (paths or wildcards) to be exceeded.");

    public static CloudFrontError BatchAlreadyExists(string callerReference) =>
        new(409, "InvalidationBatchAlreadyExists", $"An invalidation with CallerReference '{callerReference}' and a different batch already exists.");

    public static CloudFrontError ServiceUnavailable() => new(503, "ServiceUnavailable", "The cluster or its storage is unavailable; retry the request.");
}

namespace OrleansEdge.Grains.Interfaces.Invalidations;

/// <summary>
/// The invalidations of one distribution (key: distribution id): it issues ids, enforces caller-reference
/// idempotency and the in-progress limits, and lists them. Every front end creates invalidations here.
/// </summary>
[Alias("edge.invalidation-log")]
public interface IInvalidationLogGrain : IGrainWithStringKey
{
    [Alias("create")]
    Task<InvalidationCreation> CreateAsync(InvalidationRequest request, InvalidationLimits limits);

    /// <summary>Lists a tenant's invalidations newest first, starting after <paramref name="marker"/>.</summary>
    [Alias("list")]
    Task<InvalidationPage> ListAsync(string tenant, string? marker, int maxItems);

    /// <summary>Told by an invalidation once it is complete.</summary>
    [Alias("completed")]
    Task CompletedAsync(string id, DateTimeOffset completed);
}

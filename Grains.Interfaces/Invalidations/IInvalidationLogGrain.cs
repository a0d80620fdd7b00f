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

    /// <summary>When each invalidation completed since <paramref name="since"/> was created, and how long it took, every tenant's included.</summary>
    [Alias("propagation")]
    Task<PropagationSample[]> PropagationSinceAsync(DateTimeOffset since);
}

/// <summary>One completed invalidation's propagation time, by when it was created.</summary>
[GenerateSerializer, Immutable, Alias("edge.propagation-sample")]
public readonly record struct PropagationSample([property: Id(0)] DateTimeOffset Created, [property: Id(1)] TimeSpan Propagation);

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

    /// <summary>
    /// Told by an invalidation once it has reached everything it names: the one write of its completion. Until this
    /// returns, the invalidation is in progress, for its own grain as for every list.
    /// </summary>
    [Alias("completed")]
    Task CompletedAsync(string id, DateTimeOffset completed, int objectsInvalidated);

    /// <summary>
    /// An invalidation's status, as the log (its only holder) has it; null when the log does not list it (completed
    /// and trimmed, or never created). Asked by an invalidation's grain when it is activated again, possibly by a call
    /// from this log, hence interleaved: it only reads.
    /// </summary>
    [Alias("status"), Orleans.Concurrency.AlwaysInterleave]
    Task<InvalidationProgress?> StatusAsync(string id);

    /// <summary>When each invalidation completed since <paramref name="since"/> was created, and how long it took, every tenant's included.</summary>
    [Alias("propagation")]
    Task<PropagationSample[]> PropagationSinceAsync(DateTimeOffset since);
}

/// <summary>How far one invalidation got.</summary>
[GenerateSerializer, Immutable, Alias("edge.invalidation-progress")]
public readonly record struct InvalidationProgress(
    [property: Id(0)] InvalidationStatus Status, [property: Id(1)] DateTimeOffset? Completed, [property: Id(2)] int ObjectsInvalidated);

/// <summary>One completed invalidation's propagation time, by when it was created.</summary>
[GenerateSerializer, Immutable, Alias("edge.propagation-sample")]
public readonly record struct PropagationSample([property: Id(0)] DateTimeOffset Created, [property: Id(1)] TimeSpan Propagation);

namespace OrleansEdge.Grains.Interfaces.Invalidations;

/// <summary>One invalidation (key from <see cref="Keys.EdgeKeys.Invalidation"/>): it runs its items and keeps the durable record.</summary>
[Alias("edge.invalidation")]
public interface IInvalidationGrain : IGrainWithStringKey
{
    /// <summary>Records the invalidation and starts propagating it; returns at once with the record.</summary>
    [Alias("start")]
    Task<InvalidationRecord> StartAsync(InvalidationRequest request, string id, DateTimeOffset created);

    /// <summary>The record, or null when no invalidation has this id.</summary>
    [Alias("get")]
    Task<InvalidationRecord?> GetAsync();

    /// <summary>
    /// Returns the record once the invalidation is complete, or as it is after <paramref name="maxWait"/>: callers
    /// wait in short calls, so one whose silo died notices within seconds and asks the record's next activation.
    /// </summary>
    [Alias("wait")]
    Task<InvalidationRecord?> WaitForCompletionAsync(TimeSpan maxWait);
}

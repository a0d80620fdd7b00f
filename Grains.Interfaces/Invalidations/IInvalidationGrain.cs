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

    /// <summary>Returns the record once the invalidation is complete.</summary>
    [Alias("wait")]
    Task<InvalidationRecord?> WaitForCompletionAsync();
}

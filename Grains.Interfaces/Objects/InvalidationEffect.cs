namespace OrleansEdge.Grains.Interfaces.Objects;

/// <summary>What one invalidation did to one object.</summary>
public enum InvalidationEffect
{
    /// <summary>A copy (or an in-flight fetch) older than the invalidation was removed or marked stale.</summary>
    Invalidated,

    /// <summary>Nothing older than the invalidation was there.</summary>
    Unaffected,
}

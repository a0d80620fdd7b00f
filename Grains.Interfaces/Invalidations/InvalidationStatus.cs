namespace OrleansEdge.Grains.Interfaces.Invalidations;

public enum InvalidationStatus
{
    InProgress,

    /// <summary>Every matching object is gone from every silo; terminal.</summary>
    Completed,
}

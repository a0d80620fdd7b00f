namespace OrleansEdge.Grains.Interfaces.Retries;

/// <summary>The one classification of "the cluster is unavailable", for every caller of a grain that waits it out or answers 503.</summary>
public static class ClusterFailures
{
    /// <summary>
    /// A failure of the cluster (a silo, a timeout, the storage behind a grain), not of the request: worth a retry.
    /// A grain's exception that could not be sent back (its type unknown here) arrives as a serializer error: also the cluster's.
    /// </summary>
    public static bool IsClusterFailure(Exception exception) =>
        exception is OrleansException or TimeoutException or SiloUnavailableException or Orleans.Serialization.SerializerException;
}

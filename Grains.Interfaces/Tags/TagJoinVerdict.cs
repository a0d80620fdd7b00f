namespace OrleansEdge.Grains.Interfaces.Tags;

/// <summary>What a tag says of a response whose fetch started at a given time.</summary>
public enum TagJoinVerdict
{
    /// <summary>No invalidation of the tag since the fetch started: the response may be stored as fresh.</summary>
    Current,

    /// <summary>Soft-purged since: store the response stale, so the next request revalidates.</summary>
    InvalidatedSoft,

    /// <summary>Invalidated since: do not store the response.</summary>
    InvalidatedHard,
}

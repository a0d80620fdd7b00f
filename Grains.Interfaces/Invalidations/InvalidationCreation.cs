namespace OrleansEdge.Grains.Interfaces.Invalidations;

public enum InvalidationRejection
{
    None,

    /// <summary>The caller reference was used before with a different batch.</summary>
    BatchAlreadyExists,

    /// <summary>Accepting the batch would exceed a limit on items in progress.</summary>
    TooManyInProgress,
}

/// <summary>The answer to a create call: the record (new, or the existing one for a repeated batch) or why not.</summary>
[GenerateSerializer, Immutable, Alias("edge.invalidation-creation")]
public sealed record InvalidationCreation(
    [property: Id(0)] InvalidationRecord? Record,
    [property: Id(1)] InvalidationRejection Rejection = InvalidationRejection.None,
    [property: Id(2)] bool Repeated = false);

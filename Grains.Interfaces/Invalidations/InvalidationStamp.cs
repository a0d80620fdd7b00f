namespace OrleansEdge.Grains.Interfaces.Invalidations;

/// <summary>When an invalidation was accepted, and whether it removes copies or only marks them stale.</summary>
/// <remarks>
/// A copy whose origin fetch started before <see cref="Created"/> is affected; one fetched after is not.
/// That comparison is what makes an in-flight fetch safe: its start time is known before its response is.
/// </remarks>
[GenerateSerializer, Immutable, Alias("edge.invalidation-stamp")]
public readonly record struct InvalidationStamp([property: Id(0)] DateTimeOffset Created, [property: Id(1)] bool Soft)
{
    public bool Covers(DateTimeOffset fetchStarted) => fetchStarted < Created;
}

namespace OrleansEdge.Grains.Interfaces.Objects;

/// <summary>
/// The head of an origin response too large to store, whose body the object grain that fetched it keeps open for the
/// viewer that asked: streamed once through <see cref="ICachedObjectGrain.RelayAsync"/> rather than fetched again.
/// </summary>
/// <param name="Status">The origin's status.</param>
/// <param name="Headers">What a proxy may forward of the origin's headers.</param>
/// <param name="ContentLength">The origin's Content-Length, when it sent one.</param>
/// <param name="Relay">What to ask <see cref="ICachedObjectGrain.RelayAsync"/> for; good for one call, for a few seconds.</param>
[GenerateSerializer, Immutable, Alias("edge.relayed-response")]
public sealed record RelayedResponse(
    [property: Id(0)] int Status,
    [property: Id(1)] HeaderField[] Headers,
    [property: Id(2)] long? ContentLength,
    [property: Id(3)] long Relay);

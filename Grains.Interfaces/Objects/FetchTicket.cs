namespace OrleansEdge.Grains.Interfaces.Objects;

/// <summary>Which fetch a viewer told <see cref="LookupOutcome.Pending"/> waits on, and whether it started it (X-Cache: Miss) or joined it.</summary>
[GenerateSerializer, Immutable, Alias("edge.fetch-ticket")]
public readonly record struct FetchTicket([property: Id(0)] long Fetch, [property: Id(1)] bool Initiator);

namespace OrleansEdge.Grains.Interfaces.Objects;

/// <summary>The answer to a viewer lookup.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Response">What to serve, or null for a pass or an origin failure with nothing to show.</param>
/// <param name="ErrorStatus">502 or 504 when the origin could not be reached or timed out.</param>
/// <param name="ErrorMessage">A short, viewer-safe explanation of the failure.</param>
/// <param name="Ticket">For <see cref="LookupOutcome.Pending"/>: what to ask again for.</param>
/// <param name="Relayed">
/// For <see cref="LookupOutcome.Pass"/> of a body too large to store, when the lookup allowed it: the origin's answer,
/// whose body the grain streams; otherwise null and the gateway asks the origin itself.
/// </param>
[GenerateSerializer, Immutable, Alias("edge.object-lookup")]
public sealed record ObjectLookup(
    [property: Id(0)] LookupOutcome Outcome,
    [property: Id(1)] CachedResponse? Response,
    [property: Id(2)] int ErrorStatus = 0,
    [property: Id(3)] string? ErrorMessage = null,
    [property: Id(4)] FetchTicket Ticket = default,
    [property: Id(5)] RelayedResponse? Relayed = null);

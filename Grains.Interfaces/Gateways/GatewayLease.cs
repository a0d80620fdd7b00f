namespace OrleansEdge.Grains.Interfaces.Gateways;

/// <summary>A gateway the registry counts as live until <see cref="Until"/>.</summary>
[GenerateSerializer, Immutable, Alias("edge.gateway-lease")]
public sealed record GatewayLease(
    [property: Id(0)] Guid GatewayId,
    [property: Id(1)] IGatewayObserver Observer,
    [property: Id(2)] DateTimeOffset Until);

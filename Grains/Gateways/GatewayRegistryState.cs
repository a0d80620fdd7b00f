using OrleansEdge.Grains.Interfaces.Gateways;

namespace OrleansEdge.Grains.Gateways;

[GenerateSerializer, Alias("edge.gateway-registry-state")]
internal sealed class GatewayRegistryState
{
    [Id(0)] public Dictionary<Guid, GatewayLease> Leases { get; set; } = [];
}

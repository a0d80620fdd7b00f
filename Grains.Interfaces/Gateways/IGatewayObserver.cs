namespace OrleansEdge.Grains.Interfaces.Gateways;

/// <summary>A gateway, as the cluster reaches it to drop the copies it holds.</summary>
[Alias("edge.gateway-observer")]
public interface IGatewayObserver : IGrainObserver
{
    /// <summary>Drops every local copy the notice covers; returns once none of them can be served.</summary>
    [Alias("apply")]
    Task ApplyAsync(InvalidationNotice notice);
}

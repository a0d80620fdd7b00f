using Orleans.Concurrency;

namespace OrleansEdge.Grains.Interfaces.Gateways;

/// <summary>
/// The gateways that may hold copies (key: <see cref="Key"/>). A gateway renews its lease every few
/// seconds; an invalidation waits for every gateway whose lease has not run out.
/// </summary>
[Alias("edge.gateway-registry")]
public interface IGatewayRegistryGrain : IGrainWithStringKey
{
    public const string Key = "gateways";

    /// <summary>How long a renewal keeps a gateway live. A gateway stops serving its copies before that.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(15);

    /// <summary>How often gateways renew: a few renewals fit in one lease.</summary>
    public static readonly TimeSpan RenewalPeriod = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Renews (or starts) the gateway's lease. Returns whether its previous lease was still live: false means an
    /// invalidation may have completed without it, so it must drop every copy it holds before serving again.
    /// </summary>
    [Alias("renew")]
    Task<bool> RenewAsync(Guid gatewayId, IGatewayObserver observer);

    /// <summary>A gateway leaving on purpose: no invalidation waits for it any more.</summary>
    [Alias("leave")]
    Task LeaveAsync(Guid gatewayId);

    /// <remarks>Interleaves with a renewal's storage write: an invalidation never waits behind one.</remarks>
    [AlwaysInterleave, Alias("live")]
    Task<GatewayLease[]> LiveAsync();

    /// <summary>Whether the gateway's lease still runs, so an invalidation must still reach it.</summary>
    [AlwaysInterleave, Alias("is-live")]
    Task<bool> IsLiveAsync(Guid gatewayId);
}

using Microsoft.Extensions.Logging;
using OrleansEdge.Grains.Hosting;
using OrleansEdge.Grains.Interfaces.Gateways;

namespace OrleansEdge.Grains.Gateways;

/// <summary>
/// The gateways holding copies, with their leases. Every renewal is written to storage before it is
/// acknowledged: if this grain's silo dies, its next activation still knows every gateway that believes
/// itself live, so no invalidation completes without them.
/// </summary>
internal sealed partial class GatewayRegistryGrain(
    [PersistentState("gateway-registry", EdgeStorage.Name)] IPersistentState<GatewayRegistryState> state,
    TimeProvider time, ILogger<GatewayRegistryGrain> logger) : Grain, IGatewayRegistryGrain
{
    private Dictionary<Guid, GatewayLease> Leases => state.State.Leases;

    async Task<bool> IGatewayRegistryGrain.RenewAsync(Guid gatewayId, IGatewayObserver observer)
    {
        var now = time.GetUtcNow();
        var continued = Leases.TryGetValue(gatewayId, out var previous) && previous.Until >= now;
        Leases[gatewayId] = new GatewayLease(gatewayId, observer, now + IGatewayRegistryGrain.LeaseDuration);
        foreach (var expired in Leases.Values.Where(l => l.Until < now).Select(l => l.GatewayId).ToList())
        {
            Leases.Remove(expired);
            LogLapsed(logger, expired, Leases.Count);
        }

        await state.WriteStateAsync();
        if (!continued)
        {
            LogJoined(logger, gatewayId, Leases.Count);
        }

        return continued;
    }

    async Task IGatewayRegistryGrain.LeaveAsync(Guid gatewayId)
    {
        if (Leases.Remove(gatewayId))
        {
            await state.WriteStateAsync();
            LogLeft(logger, gatewayId, Leases.Count);
        }
    }

    Task<GatewayLease[]> IGatewayRegistryGrain.LiveAsync()
    {
        var now = time.GetUtcNow();
        return Task.FromResult(Leases.Values.Where(l => l.Until >= now).ToArray());
    }

    Task<bool> IGatewayRegistryGrain.IsLiveAsync(Guid gatewayId) =>
        Task.FromResult(Leases.TryGetValue(gatewayId, out var lease) && lease.Until >= time.GetUtcNow());

    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "Gateway {Gateway} registered; {Count} gateway(s) hold copies")]
    private static partial void LogJoined(ILogger logger, Guid gateway, int count);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Information, Message = "Gateway {Gateway} left; {Count} gateway(s) hold copies")]
    private static partial void LogLeft(ILogger logger, Guid gateway, int count);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "Gateway {Gateway} stopped renewing its lease and was dropped; {Count} gateway(s) hold copies")]
    private static partial void LogLapsed(ILogger logger, Guid gateway, int count);
}

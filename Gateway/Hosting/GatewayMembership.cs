using OrleansEdge.Gateway.Viewer;
using OrleansEdge.Grains.Interfaces.Gateways;

namespace OrleansEdge.Gateway.Hosting;

/// <summary>
/// Keeps this gateway registered with the cluster, so invalidations reach its local copies, and stops it
/// serving them as soon as it cannot prove it is registered.
/// </summary>
internal sealed partial class GatewayMembership(
    IGrainFactory grains, LocalCopies copies, TimeProvider time, ILogger<GatewayMembership> logger) : BackgroundService, IGatewayObserver
{
    private readonly Guid _id = Guid.NewGuid();
    private IGatewayObserver? _reference;
    private bool _registered;

    Task IGatewayObserver.ApplyAsync(InvalidationNotice notice)
    {
        copies.Apply(notice);
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The runtime holds observers weakly: this field keeps the reference alive with the service.
        _reference = grains.CreateObjectReference<IGatewayObserver>(this);
        while (!stoppingToken.IsCancellationRequested)
        {
            // Read before the request leaves: the lease runs from here, on this process's monotonic clock.
            var sent = time.GetTimestamp();
            try
            {
                // Resolved each time: a client that has not yet heard the cluster's manifest cannot resolve it.
                var registry = grains.GetGrain<IGatewayRegistryGrain>(IGatewayRegistryGrain.Key);
                var continued = await registry.RenewAsync(_id, _reference).WaitAsync(IGatewayRegistryGrain.RenewalPeriod, stoppingToken);
                if (copies.Renewed(sent, continued) && _registered)
                {
                    LogEpochEnded(logger, continued);
                }

                _registered = true;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogRenewalFailed(logger, exception);
            }

            if (!copies.LeaseRuns())
            {
                copies.Expire();
            }

            try
            {
                await Task.Delay(IGatewayRegistryGrain.RenewalPeriod, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        copies.Expire();
        try
        {
            await grains.GetGrain<IGatewayRegistryGrain>(IGatewayRegistryGrain.Key).LeaveAsync(_id).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogRenewalFailed(logger, exception);
        }

        await base.StopAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "This gateway's lease had lapsed (the registry still counted it: {RegistryContinued}); its local copies were dropped and it registered anew")]
    private static partial void LogEpochEnded(ILogger logger, bool registryContinued);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Could not renew this gateway's lease; local copies stop being served when it runs out")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception);
}

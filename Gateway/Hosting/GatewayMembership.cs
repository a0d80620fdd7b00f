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
    /// <summary>Taken off the lease as seen here, for the time a renewal spends in flight and clocks that drift.</summary>
    private static readonly TimeSpan SafetyMargin = TimeSpan.FromSeconds(3);

    private readonly Guid _id = Guid.NewGuid();
    private IGatewayObserver? _reference;

    public Guid Id => _id;

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
            var sent = time.GetUtcNow();
            try
            {
                // Resolved each time: a client that has not yet heard the cluster's manifest cannot resolve it.
                var registry = grains.GetGrain<IGatewayRegistryGrain>(IGatewayRegistryGrain.Key);
                await registry.RenewAsync(_id, _reference).WaitAsync(IGatewayRegistryGrain.RenewalPeriod, stoppingToken);
                copies.Renewed(sent + IGatewayRegistryGrain.LeaseDuration - SafetyMargin, time.GetUtcNow());
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogRenewalFailed(logger, exception);
            }

            if (!copies.LeaseRuns(time.GetUtcNow()))
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

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Could not renew this gateway's lease; local copies stop being served when it runs out")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception);
}

using OrleansEdge.Gateway.Viewer;
using OrleansEdge.Grains.Interfaces.Gateways;

namespace OrleansEdge.Gateway.NearCache;

/// <summary>
/// Keeps this gateway registered with the cluster, so invalidations reach its local copies, and stops it
/// serving them as soon as it cannot prove it is registered.
/// </summary>
internal sealed partial class NearCacheLease(
    IGrainFactory grains, NearCacheCopies copies, TimeProvider time, ILogger<NearCacheLease> logger) : BackgroundService, IGatewayObserver
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
        var joining = time.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            // Read before the request leaves: the lease runs from here, on this process's monotonic clock.
            var sent = time.GetTimestamp();
            var retry = IGatewayRegistryGrain.RenewalPeriod;
            try
            {
                // Resolved each time: a client that has not yet heard the cluster's manifest cannot resolve it.
                var registry = grains.GetGrain<IGatewayRegistryGrain>(IGatewayRegistryGrain.Key);
                var continued = await registry.RenewAsync(_id, _reference).WaitAsync(IGatewayRegistryGrain.RenewalPeriod, stoppingToken);
                if (copies.Renewed(sent, continued) && _registered)
                {
                    LogEpochEnded(logger, continued);
                }

                if (!_registered)
                {
                    LogRegistered(logger, _id);
                }

                _registered = true;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // A gateway starting beside a cluster that is still starting (the embedded silo, a client that has
                // not received the cluster's grain manifest yet) is not news: try again soon, and speak up only
                // if it lasts.
                if (!_registered && time.GetElapsedTime(joining) < JoiningGrace)
                {
                    LogNotYetRegistered(logger, exception.Message);
                    retry = TimeSpan.FromMilliseconds(250);
                }
                else
                {
                    LogRenewalFailed(logger, exception);
                }
            }

            if (!copies.LeaseRuns())
            {
                copies.Expire();
            }

            try
            {
                await Task.Delay(retry, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The renewal loop ends first, so that nothing renews a lease this gateway is giving up.
        await base.StopAsync(cancellationToken);
        copies.Expire();
        if (!_registered)
        {
            return;
        }

        try
        {
            await grains.GetGrain<IGatewayRegistryGrain>(IGatewayRegistryGrain.Key).LeaveAsync(_id).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            LogLeft(logger, _id);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Leaving only spares invalidations the wait for this lease to run out; it runs out anyway.
            LogLeaveFailed(logger, exception.Message);
        }
    }

    private static readonly TimeSpan JoiningGrace = TimeSpan.FromSeconds(30);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Gateway {Gateway} registered with the cluster; invalidations now reach its copies")]
    private static partial void LogRegistered(ILogger logger, Guid gateway);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Debug, Message = "The cluster cannot register this gateway yet: {Reason}")]
    private static partial void LogNotYetRegistered(ILogger logger, string reason);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Information, Message = "Gateway {Gateway} left the cluster")]
    private static partial void LogLeft(ILogger logger, Guid gateway);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Information, Message = "Could not tell the cluster this gateway is leaving ({Reason}); its lease runs out by itself")]
    private static partial void LogLeaveFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "This gateway's lease had lapsed (the registry still counted it: {RegistryContinued}); its local copies were dropped and it registered anew")]
    private static partial void LogEpochEnded(ILogger logger, bool registryContinued);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Could not renew this gateway's lease; local copies stop being served when it runs out")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception);
}

using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Gateway.Hosting;

/// <summary>
/// Wakes each distribution's invalidation log, at start and then every few seconds, so that an invalidation
/// cut off by a crash or a silo death (its record still InProgress in Redis) runs to the end even if nobody
/// asks about it. A wake-up with nothing in progress is one cheap grain call.
/// </summary>
internal sealed partial class InvalidationResumer(IGrainFactory grains, RouteTableProvider routes, IHostApplicationLifetime lifetime, ILogger<InvalidationResumer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(started.SetResult);
        await started.Task.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var id in routes.Options.Distributions.Keys)
            {
                try
                {
                    await grains.GetGrain<IInvalidationLogGrain>(id).ResumeAsync().WaitAsync(stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    LogResumeFailed(logger, exception, id);
                }
            }

            try
            {
                await Task.Delay(WakeUpPeriod, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private static readonly TimeSpan WakeUpPeriod = TimeSpan.FromSeconds(10);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Could not resume the invalidations of distribution {Distribution}")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception, string distribution);
}

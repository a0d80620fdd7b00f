using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Gateway.Hosting;

/// <summary>
/// At start, wakes each distribution's invalidation log so that an invalidation cut off by a crash (its
/// record still InProgress in Redis) runs to the end even if nobody asks about it.
/// </summary>
internal sealed partial class InvalidationResumer(IGrainFactory grains, RouteTableProvider routes, IHostApplicationLifetime lifetime, ILogger<InvalidationResumer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(started.SetResult);
        await started.Task.WaitAsync(stoppingToken);
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
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Could not resume the invalidations of distribution {Distribution}")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception, string distribution);
}

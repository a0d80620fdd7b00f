using OrleansEdge.Grains.Interfaces.Settings;

namespace OrleansEdge.Gateway.Routing;

/// <summary>
/// Brings the console's overrides to this gateway: asks the cluster for them twice a second, so a setting saved on
/// any gateway's console is served by every gateway within a second, and after a restart from the first answer.
/// </summary>
internal sealed partial class ConsoleSettingsWatcher(
    IGrainFactory grains, RouteTableProvider routes, TimeProvider time, ILogger<ConsoleSettingsWatcher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                routes.Apply(await grains.GetGrain<IDistributionSettingsGrain>(IDistributionSettingsGrain.Key).GetAsync().WaitAsync(TimeSpan.FromSeconds(5), time, stoppingToken));
                failing = false;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The cluster is starting or unavailable: the settings in force stay, and the next round asks again.
                if (!failing)
                {
                    LogUnavailable(logger, exception.Message);
                }

                failing = true;
            }

            try
            {
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Console settings could not be read from the cluster ({Reason}); asking again")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}

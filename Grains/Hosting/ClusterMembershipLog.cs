using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansEdge.Grains.Hosting;

/// <summary>
/// Says in this silo's log when a silo joins, starts leaving, leaves or is declared dead: Orleans logs its
/// membership protocol in detail, but an operator wants one line per change.
/// </summary>
internal sealed partial class ClusterMembershipLog(IClusterMembershipService membership, ILogger<ClusterMembershipLog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var known = new Dictionary<SiloAddress, SiloStatus>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                foreach (var (silo, member) in snapshot.Members)
                {
                    var seen = known.TryGetValue(silo, out var before);
                    if (seen && before == member.Status)
                    {
                        continue;
                    }

                    known[silo] = member.Status;

                    // Entries of silos that died before this one started are history, not news.
                    if (!seen && member.Status == SiloStatus.Dead)
                    {
                        continue;
                    }

                    var active = snapshot.Members.Values.Count(static m => m.Status == SiloStatus.Active);
                    switch (member.Status)
                    {
                        case SiloStatus.Active:
                            LogJoined(logger, silo.ToString(), active);
                            break;
                        case SiloStatus.ShuttingDown or SiloStatus.Stopping:
                            LogLeaving(logger, silo.ToString(), active);
                            break;
                        case SiloStatus.Dead when before is SiloStatus.ShuttingDown or SiloStatus.Stopping:
                            LogLeft(logger, silo.ToString(), active);
                            break;
                        case SiloStatus.Dead:
                            LogDeclaredDead(logger, silo.ToString(), active);
                            break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Silo {Silo} joined the cluster; {Active} silo(s) active")]
    private static partial void LogJoined(ILogger logger, string silo, int active);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Silo {Silo} is leaving the cluster; {Active} silo(s) active")]
    private static partial void LogLeaving(ILogger logger, string silo, int active);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "Silo {Silo} left the cluster; {Active} silo(s) active")]
    private static partial void LogLeft(ILogger logger, string silo, int active);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "Silo {Silo} was declared dead by the cluster; {Active} silo(s) active")]
    private static partial void LogDeclaredDead(ILogger logger, string silo, int active);
}

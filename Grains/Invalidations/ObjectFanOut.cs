using Microsoft.Extensions.Logging;
using Orleans.Runtime.Services;
using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Retries;

namespace OrleansEdge.Grains.Invalidations;

/// <summary>
/// Sends an invalidation to every silo, whose <see cref="ISiloFanOutService"/> applies it to the objects it hosts:
/// one message per silo, however many objects it reaches.
/// </summary>
internal sealed partial class ObjectFanOut(
    IServiceProvider services, IMembershipTable table, IClusterMembershipService membership, TimeProvider time, ILogger<ObjectFanOut> logger)
    : GrainServiceClient<ISiloFanOutService>(services)
{
    private const int Attempts = 8;

    private readonly Lock _refreshLock = new();
    private (Task<List<SiloAddress>> Read, DateTimeOffset Started) _lastRead = (Task.FromResult(new List<SiloAddress>()), DateTimeOffset.MinValue);

    /// <summary>
    /// Applies the notice on every silo and returns how many objects it affected. A silo that cannot be reached is
    /// tried again until it answers or is declared dead (its objects died with it); one that stays unreachable
    /// throws, so the invalidation stays in progress and is retried as a whole rather than dropped.
    /// </summary>
    public async Task<int> BroadcastAsync(InvalidationNotice notice)
    {
        var silos = await SilosReadAfterAsync(notice.Stamp.Created);
        var reached = await Task.WhenAll(silos.Select(silo => ReachAsync(silo, notice)));
        return reached.Sum();
    }

    /// <summary>
    /// Reads the membership table (not this silo's view of it, which gossip may not have updated yet: a silo that
    /// became active moments ago may already host a fetch older than the invalidation), with a read that began
    /// after <paramref name="created"/>. Concurrent invalidations share one read: a thousand tags cost one.
    /// </summary>
    private Task<List<SiloAddress>> SilosReadAfterAsync(DateTimeOffset created)
    {
        lock (_refreshLock)
        {
            if (_lastRead.Started <= created || _lastRead.Read.IsFaulted || _lastRead.Read.IsCanceled)
            {
                var started = time.GetUtcNow();
                _lastRead = (ReadSilosAsync(), started);
            }

            return _lastRead.Read;
        }
    }

    /// <summary>
    /// Every silo the table lists as hosting objects (read directly: Orleans' own refresh waits 10 ms more). A silo
    /// still joining hosts none: clients connect only to active ones, and silos place only on active ones. Silos
    /// shutting down still do until their objects have deactivated.
    /// </summary>
    private async Task<List<SiloAddress>> ReadSilosAsync()
    {
        var read = await table.ReadAllAsync();
        var silos = new List<SiloAddress>();
        foreach (var (entry, _) in read.Members)
        {
            if (entry.Status is SiloStatus.Active or SiloStatus.ShuttingDown or SiloStatus.Stopping)
            {
                silos.Add(entry.SiloAddress);
            }
        }

        return silos;
    }

    private async Task<int> ReachAsync(SiloAddress silo, InvalidationNotice notice)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await GetGrainService(silo).ApplyAsync(notice);
            }
            catch (Exception exception)
            {
                if (membership.CurrentSnapshot.GetSiloStatus(silo) == SiloStatus.Dead)
                {
                    return 0;
                }

                if (attempt == Attempts)
                {
                    throw new InvalidOperationException($"Silo {silo} could not be reached after {Attempts} attempts.", exception);
                }

                LogRetrying(logger, exception, silo, attempt);
                await Task.Delay(RetryBackoff.Delay(attempt, TimeSpan.FromSeconds(2)));
            }
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Retrying an invalidation on silo {Silo} (attempt {Attempt})")]
    private static partial void LogRetrying(ILogger logger, Exception exception, SiloAddress silo, int attempt);
}

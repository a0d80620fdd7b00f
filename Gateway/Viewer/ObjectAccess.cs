using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Gateway.Viewer;

/// <summary>
/// How this gateway asks an object for a viewer: in a cluster, through the door of the object's home silo
/// (<see cref="IObjectHomeService"/>, one hop); in the embedded edge, or before the cluster's silos are known, by a call
/// to the grain itself (in process, or through whichever silo the client's connection for the key leads to).
/// </summary>
internal sealed partial class ObjectAccess(IGrainFactory grains, TimeProvider time, ILogger<ObjectAccess> logger) : BackgroundService
{
    /// <summary>How often the silos are read again: as often as the client reads its list of gateways.</summary>
    public static readonly TimeSpan RefreshPeriod = TimeSpan.FromSeconds(5);

    private Home[] _homes = [];

    /// <param name="Door">Null for a silo without a gateway port: its objects are asked by a call to the grain.</param>
    private sealed record Home(SiloAddress Silo, IObjectHomeService? Door);

    /// <summary>
    /// A viewer's lookup of <paramref name="key"/>, bounded by the distribution's own timeout: the object answers within
    /// its origin timeout or says its fetch is pending every few seconds, so a call that outlasts that means a dead or
    /// stalled silo (<see cref="ObjectLookups.LookupAsync(Func{FetchTicket, Task{ObjectLookup}}, TimeSpan, TimeProvider)"/>).
    /// </summary>
    public Task<ObjectLookup> LookupAsync(string key, OriginProfile origin, bool relay) =>
        ObjectLookups.LookupAsync(ticket => GetAsync(key, origin, ticket, relay), origin.ResponseTimeout + ObjectLookups.CallGrace, time);

    private Task<ObjectLookup> GetAsync(string key, OriginProfile origin, FetchTicket ticket, bool relay)
    {
        var grain = grains.CachedObject(key);
        var homes = Volatile.Read(ref _homes);
        return homes.Length > 0 && homes[ObjectHomes.Pick(grain.GetGrainId().GetUniformHashCode(), homes.AsSpan(), static home => home.Silo)].Door is { } door
            ? ThroughDoorAsync(door, grain, key, origin, ticket, relay)
            : grain.GetAsync(origin, ticket, relay);
    }

    private static async Task<ObjectLookup> ThroughDoorAsync(
        IObjectHomeService door, ICachedObjectGrain grain, string key, OriginProfile origin, FetchTicket ticket, bool relay)
    {
        try
        {
            return await door.GetAsync(key, origin, ticket, relay);
        }
        catch (Exception exception) when (exception is OrleansMessageRejectionException or SiloUnavailableException)
        {
            // This client's connection to the home is down (the silo may be fine: a call to the grain enters the
            // cluster elsewhere and is forwarded to it), or the silo is gone (then that call fails too).
            return await grain.GetAsync(origin, ticket, relay);
        }
    }

    /// <summary>Reads the active silos and their gateway ports from the cluster's membership, until the gateway stops.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RefreshPeriod, time);
        do
        {
            try
            {
                var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true).WaitAsync(RefreshPeriod, stoppingToken);
                Volatile.Write(ref _homes, [.. hosts.Select(host => new Home(host.SiloAddress, host.ProxyPort != 0 ? ObjectHomes.Door(grains, host) : null))]);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The last list stays: a door that is gone fails its lookups as a call to a grain there would.
                LogSilosUnread(logger, exception.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The cluster's silos could not be read ({Reason}); lookups keep the last list.")]
    private static partial void LogSilosUnread(ILogger logger, string reason);
}

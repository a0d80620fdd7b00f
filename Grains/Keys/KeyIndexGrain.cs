using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Placement;
using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Invalidations;

namespace OrleansEdge.Grains.Keys;

/// <summary>One shard of a distribution tenant's object keys, scanned by wildcard invalidations.</summary>
/// <remarks>
/// Reentrant so registrations go on during a scan's fan-out; the scan copies its matches first. The keys
/// live only here, so the grain is kept from idle collection while it holds any.
/// </remarks>
[Reentrant]
[RandomPlacement]
internal sealed class KeyIndexGrain(ILogger<KeyIndexGrain> logger) : Grain, IKeyIndexGrain
{
    private readonly Dictionary<string, Guid> _keys = new(StringComparer.Ordinal);

    Task IKeyIndexGrain.AddAsync(string objectKey, Guid activation)
    {
        _keys[objectKey] = activation;
        DelayDeactivation(Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    Task IKeyIndexGrain.RemoveAsync(string objectKey, Guid activation)
    {
        // A removal from an older activation may arrive after the newer one registered: keep the newer.
        if (_keys.TryGetValue(objectKey, out var registered) && registered == activation)
        {
            _keys.Remove(objectKey);
            if (_keys.Count == 0)
            {
                DelayDeactivation(TimeSpan.Zero);
            }
        }

        return Task.CompletedTask;
    }

    async Task<int> IKeyIndexGrain.InvalidatePrefixAsync(string keyPrefix, InvalidationStamp stamp)
    {
        using var activity = EdgeTelemetry.Source.StartActivity("invalidate prefix");
        var matches = new List<string>();
        foreach (var key in _keys.Keys)
        {
            if (key.StartsWith(keyPrefix, StringComparison.Ordinal))
            {
                matches.Add(key);
            }
        }

        return (await ObjectFanOut.InvalidateAsync(GrainFactory, matches, stamp, tag: null, logger)).Invalidated;
    }
}

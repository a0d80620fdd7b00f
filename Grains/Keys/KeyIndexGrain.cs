using Orleans.Concurrency;
using Orleans.Placement;
using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Hosting;
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
internal sealed class KeyIndexGrain(IDurableIndex index, ObjectFanOut fanOut) : Grain, IKeyIndexGrain
{
    // Object key → the activation that registered it and that activation's silo, where a batch reaches it.
    private readonly Dictionary<string, Registration> _keys = new(StringComparer.Ordinal);
    private string _index = "";

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // In cluster mode the keys outlive this activation's silo: a wildcard after a silo death still finds them.
        _index = this.GetPrimaryKeyString();
        foreach (var (key, registration) in await index.LoadAsync(_index))
        {
            _keys[key] = Registration.Decode(registration);
        }

        DelayDeactivation(_keys.Count > 0 ? Timeout.InfiniteTimeSpan : TimeSpan.Zero);
    }

    async Task IKeyIndexGrain.AddAsync(string objectKey, Guid activation, SiloAddress silo)
    {
        var registration = new Registration(activation, silo);
        _keys[objectKey] = registration;
        DelayDeactivation(Timeout.InfiniteTimeSpan);
        await index.SetAsync(_index, objectKey, registration.Encode());
    }

    async Task IKeyIndexGrain.RemoveAsync(string objectKey, Guid activation)
    {
        // A removal from an older activation may arrive after the newer one registered: keep the newer.
        if (_keys.TryGetValue(objectKey, out var registered) && registered.Activation == activation)
        {
            _keys.Remove(objectKey);
            if (_keys.Count == 0)
            {
                DelayDeactivation(TimeSpan.Zero);
            }

            await index.RemoveAsync(_index, [objectKey]);
        }
    }

    async Task<int> IKeyIndexGrain.InvalidatePrefixAsync(string keyPrefix, InvalidationStamp stamp)
    {
        using var activity = EdgeTelemetry.Source.StartActivity("invalidate prefix");
        var matches = new List<FanOutTarget>();
        foreach (var (key, registration) in _keys)
        {
            if (key.StartsWith(keyPrefix, StringComparison.Ordinal))
            {
                matches.Add(new FanOutTarget(key, registration.Silo));
            }
        }

        return (await fanOut.InvalidateAsync(matches, stamp, tag: null)).Invalidated;
    }

    /// <summary>A registration as the index stores it: the activation, with its silo.</summary>
    private readonly record struct Registration(Guid Activation, SiloAddress? Silo)
    {
        public string Encode() => SiloHint.Append(Activation.ToString(), Silo);

        public static Registration Decode(string stored)
        {
            var (activation, silo) = SiloHint.Split(stored);
            return new Registration(Guid.Parse(activation), silo);
        }
    }
}

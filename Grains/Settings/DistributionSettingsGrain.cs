using System.Collections.Immutable;
using OrleansEdge.Grains.Hosting;
using OrleansEdge.Grains.Interfaces.Settings;

namespace OrleansEdge.Grains.Settings;

/// <summary>The console's overrides, written to storage before any gateway can read them.</summary>
internal sealed class DistributionSettingsGrain(
    [PersistentState("distribution-settings", EdgeStorage.Name)] IPersistentState<DistributionSettingsState> state) : Grain, IDistributionSettingsGrain
{
    Task<SettingsOverrides> IDistributionSettingsGrain.GetAsync() => Task.FromResult(Snapshot());

    async Task<SettingsOverrides> IDistributionSettingsGrain.SetCacheTagsAsync(string distribution, CacheTagOverride? value)
    {
        var tags = state.State.CacheTags;
        var changed = value is null ? tags.Remove(distribution) : !tags.TryGetValue(distribution, out var old) || old != value;
        if (value is not null)
        {
            tags[distribution] = value;
        }

        if (changed)
        {
            state.State.Version++;
            await state.WriteStateAsync();
        }

        return Snapshot();
    }

    private SettingsOverrides Snapshot() => state.State.Version == 0
        ? SettingsOverrides.None
        : new SettingsOverrides(state.State.Version, state.State.CacheTags.ToImmutableDictionary(StringComparer.OrdinalIgnoreCase));
}

[GenerateSerializer, Alias("edge.distribution-settings-state")]
public sealed class DistributionSettingsState
{
    [Id(0)] public long Version { get; set; }

    [Id(1)] public Dictionary<string, CacheTagOverride> CacheTags { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

using System.Collections.Immutable;

namespace OrleansEdge.Grains.Interfaces.Settings;

/// <summary>A distribution's cache-tag settings as the console set them, over those of the configuration file.</summary>
[GenerateSerializer, Immutable, Alias("edge.cache-tag-override")]
public sealed record CacheTagOverride(
    [property: Id(0)] bool Enabled,
    [property: Id(1)] string Header,
    [property: Id(2)] DateTimeOffset Changed,
    [property: Id(3)] string ChangedBy);

/// <summary>Every override in force, numbered so that a gateway can tell at a glance whether anything changed.</summary>
[GenerateSerializer, Immutable, Alias("edge.settings-overrides")]
public sealed record SettingsOverrides(
    [property: Id(0)] long Version,
    [property: Id(1)] ImmutableDictionary<string, CacheTagOverride> CacheTags)
{
    public static SettingsOverrides None { get; } = new(0, ImmutableDictionary.Create<string, CacheTagOverride>(StringComparer.OrdinalIgnoreCase));
}

/// <summary>
/// The settings changed at run time from the console (SPEC §8), kept in the edge's grain storage (Redis in cluster
/// mode, so they outlive restarts) and read by every gateway, which applies them over its configuration file.
/// </summary>
[Alias("edge.distribution-settings")]
public interface IDistributionSettingsGrain : IGrainWithStringKey
{
    /// <summary>The one instance's key.</summary>
    public const string Key = "edge";

    [Alias("get")]
    Task<SettingsOverrides> GetAsync();

    /// <summary>Sets (or, with null, removes) the override of one distribution's cache-tag settings.</summary>
    [Alias("set-cache-tags")]
    Task<SettingsOverrides> SetCacheTagsAsync(string distribution, CacheTagOverride? value);
}

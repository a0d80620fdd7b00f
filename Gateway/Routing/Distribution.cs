using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Gateway.Configuration;

namespace OrleansEdge.Gateway.Routing;

/// <summary>One distribution as the gateway serves it now: an immutable snapshot of its options.</summary>
internal sealed class Distribution
{
    public Distribution(string id, DistributionOptions options)
    {
        Id = id;
        TagHeader = options.CacheTags.Enabled ? options.CacheTags.Header : null;
        StripTagHeader = options.CacheTags.Enabled && options.CacheTags.StripFromResponse;
        Tenants = new HashSet<string>(options.Tenants.Keys, StringComparer.OrdinalIgnoreCase);
        Profile = new OriginProfile
        {
            BaseUrl = options.Origin.TrimEnd('/'),
            TagHeader = TagHeader,
            MinTtl = options.Ttl.Min,
            DefaultTtl = options.Ttl.Default,
            MaxTtl = options.Ttl.Max,
            ErrorTtl = options.Ttl.Error,
            MaxBodyBytes = options.MaxBodyBytes,
            ConnectTimeout = options.OriginConnectTimeout,
            ResponseTimeout = options.OriginTimeout,
            MaxTagHeaderBytes = options.CacheTags.MaxHeaderBytes,
        };
    }

    public string Id { get; }

    /// <summary>The cache-tag header, or null when tags are disabled.</summary>
    public string? TagHeader { get; }

    public bool StripTagHeader { get; }

    private HashSet<string> Tenants { get; }

    /// <summary>Sent with every lookup so the object grain fetches under the current settings.</summary>
    public OriginProfile Profile { get; }

    /// <summary>The tenant id as configured, or null when the distribution has no such tenant.</summary>
    public string? FindTenant(string tenant) => Tenants.TryGetValue(tenant, out var actual) ? actual : null;
}

using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Gateway.Configuration;

namespace OrleansEdge.Gateway.Routing;

/// <summary>One distribution as the gateway serves it now: an immutable snapshot of its options.</summary>
internal sealed class Distribution
{
    public Distribution(string id, DistributionOptions options, EdgeOptions edge)
    {
        Id = id;
        TagHeader = options.CacheTags.Enabled ? options.CacheTags.Header : null;
        StripTagHeader = options.CacheTags.Enabled && options.CacheTags.StripFromResponse;
        Tenants = new HashSet<string>(options.Tenants.Keys, StringComparer.OrdinalIgnoreCase);
        DefaultBehavior = Behavior("*", options.CachePolicy);
        Behaviors = [.. options.Behaviors.Select(b => Behavior(PathPatterns.Rooted(b.PathPattern), b.CachePolicy))];

        CacheBehavior Behavior(string pattern, string policyName)
        {
            var policy = CachePolicy.Resolve(policyName, edge, options);
            return new CacheBehavior(pattern, policy, new OriginProfile
            {
                BaseUrl = options.Origin.TrimEnd('/'),
                TagHeader = TagHeader,
                MinTtl = policy.Ttl.Min,
                DefaultTtl = policy.Ttl.Default,
                MaxTtl = policy.Ttl.Max,
                ErrorTtl = policy.Ttl.Error,
                MaxBodyBytes = options.MaxBodyBytes,
                ConnectTimeout = options.OriginConnectTimeout,
                ResponseTimeout = options.OriginTimeout,
                MaxTagHeaderBytes = options.CacheTags.MaxHeaderBytes,
                KeyedHeaders = [OriginProfile.AcceptEncoding, .. policy.Headers, .. policy.Cookies == KeyItems.All ? ["cookie"] : Array.Empty<string>()],
                Compress = policy.Compress,
            });
        }
    }

    public string Id { get; }

    /// <summary>The cache-tag header, or null when tags are disabled.</summary>
    public string? TagHeader { get; }

    public bool StripTagHeader { get; }

    private HashSet<string> Tenants { get; }

    /// <summary>For requests no path-pattern behavior matches.</summary>
    public CacheBehavior DefaultBehavior { get; }

    /// <summary>Path-pattern behaviors, in the order they are tried.</summary>
    public CacheBehavior[] Behaviors { get; }

    /// <summary>The origin and its limits, as every behavior reaches it (the default behavior's profile).</summary>
    public OriginProfile Profile => DefaultBehavior.Profile;

    /// <summary>The first behavior whose pattern matches the normalised <paramref name="path"/>, else the default one.</summary>
    public CacheBehavior BehaviorFor(ReadOnlySpan<char> path)
    {
        foreach (var behavior in Behaviors)
        {
            if (PathPatterns.Matches(behavior.PathPattern, path))
            {
                return behavior;
            }
        }

        return DefaultBehavior;
    }

    /// <summary>The tenant id as configured, or null when the distribution has no such tenant.</summary>
    public string? FindTenant(string tenant) => Tenants.TryGetValue(tenant, out var actual) ? actual : null;
}

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
        ViewerProtocol = options.ViewerProtocolPolicy.ToLowerInvariant() switch
        {
            ViewerProtocolPolicies.RedirectToHttps => ViewerProtocol.RedirectToHttps,
            ViewerProtocolPolicies.HttpsOnly => ViewerProtocol.HttpsOnly,
            _ => ViewerProtocol.AllowAll,
        };
        ErrorPages = options.ErrorResponses
            .Where(static e => e.Value.ResponsePagePath is { Length: > 0 })
            .ToDictionary(static e => int.Parse(e.Key, System.Globalization.CultureInfo.InvariantCulture),
                static e => new ErrorPage(Grains.Interfaces.Keys.RequestTargets.Normalize(e.Value.ResponsePagePath!), e.Value.ResponseCode));
        var errorTtls = options.ErrorResponses
            .Where(static e => e.Value.Ttl is not null)
            .Select(static e => new StatusTtl(int.Parse(e.Key, System.Globalization.CultureInfo.InvariantCulture), e.Value.Ttl!.Value))
            .ToArray();
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
                ErrorTtls = errorTtls,
                MaxBodyBytes = options.MaxBodyBytes,
                ConnectTimeout = options.OriginConnectTimeout,
                ResponseTimeout = options.OriginTimeout,
                MaxTagHeaderBytes = options.CacheTags.MaxHeaderBytes,
                TagSeparator = options.CacheTags.Separator is [var separator] ? separator : Grains.Interfaces.Tags.CacheTagRules.DefaultSeparator,
                KeyedHeaders = [OriginProfile.AcceptEncoding, .. policy.Headers, .. policy.Cookies == KeyItems.All ? ["cookie"] : Array.Empty<string>()],
                Compress = policy.Compress,
            });
        }
    }

    public string Id { get; }

    /// <summary>The cache-tag header, or null when tags are disabled.</summary>
    public string? TagHeader { get; }

    private bool StripTagHeader { get; }

    /// <summary>
    /// Whether an origin header is kept from viewers: the cache-tag header, when the distribution strips it
    /// (<c>CacheTags:StripFromResponse</c>), whether the response comes from a copy, a pass or a relay.
    /// </summary>
    public bool HidesHeader(string name) => StripTagHeader && string.Equals(name, TagHeader, StringComparison.OrdinalIgnoreCase);

    /// <summary>What a viewer arriving over plain http gets.</summary>
    public ViewerProtocol ViewerProtocol { get; }

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

    /// <summary>Custom error pages by the status they replace.</summary>
    private Dictionary<int, ErrorPage> ErrorPages { get; }

    /// <summary>The page that replaces an answer of <paramref name="status"/>, if one is configured. Costs a 2xx nothing.</summary>
    public ErrorPage? ErrorPageFor(int status) =>
        status >= 400 && ErrorPages.Count > 0 && ErrorPages.TryGetValue(status, out var page) ? page : null;

    /// <summary>The tenant id as configured, or null when the distribution has no such tenant.</summary>
    public string? FindTenant(string tenant) => Tenants.TryGetValue(tenant, out var actual) ? actual : null;
}

/// <summary>A custom error response: the page served (a normal target of the distribution) and the status it is served with.</summary>
internal sealed record ErrorPage(string Target, int? ResponseCode);

/// <summary>A distribution's <c>ViewerProtocolPolicy</c>.</summary>
internal enum ViewerProtocol
{
    AllowAll,
    RedirectToHttps,
    HttpsOnly,
}

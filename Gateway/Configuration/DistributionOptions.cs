namespace OrleansEdge.Gateway.Configuration;

/// <summary>One distribution (<c>Edge:Distributions:{Id}</c>): an origin, the hosts it serves, and its caching rules.</summary>
public sealed class DistributionOptions
{
    /// <summary>Origin base URL (http or https), e.g. <c>http://127.0.0.1:8090</c>; a path in it prefixes every request.</summary>
    public string Origin { get; set; } = "";

    /// <summary>Host names routed here (case-insensitive, port ignored); <c>*</c> takes hosts no distribution names.</summary>
    public List<string> Domains { get; set; } = [];

    public CacheTagOptions CacheTags { get; set; } = new();

    public TtlOptions Ttl { get; set; } = new();

    /// <summary>The default behavior's cache policy, for requests no path-pattern behavior matches. Default <c>Default</c>.</summary>
    public string CachePolicy { get; set; } = Routing.CachePolicy.DefaultName;

    /// <summary>Path-pattern behaviors, in order: the first whose pattern matches the request path wins.</summary>
    public List<CacheBehaviorOptions> Behaviors { get; set; } = [];

    /// <summary>Tenants by id; each has its own domains and never shares cache entries.</summary>
    public Dictionary<string, TenantOptions> Tenants { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Largest body stored, in bytes; larger responses stream through uncached. Default 16 MiB.</summary>
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Time allowed to open a connection to the origin. Default 5 s; beyond it, 504.</summary>
    public TimeSpan OriginConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time allowed for the origin's whole response. Default 30 s; beyond it, 504.</summary>
    public TimeSpan OriginTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class CacheTagOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Response header holding the comma-separated tags. Default <c>x-amz-meta-cache-tag</c>.</summary>
    public string Header { get; set; } = Grains.Interfaces.Tags.CacheTagRules.DefaultHeader;

    /// <summary>Remove the tag header from viewer responses (it stays on the stored copy).</summary>
    public bool StripFromResponse { get; set; }

    /// <summary>Longest tag header indexed, in bytes; a response with a longer one is served uncached (and counted). Default 16 KiB.</summary>
    public int MaxHeaderBytes { get; set; } = Grains.Interfaces.Objects.OriginProfile.DefaultMaxTagHeaderBytes;
}

/// <summary>TTL bounds, as CloudFront's cache policy: the origin's lifetime, else Default, clamped to [Min, Max].</summary>
public sealed class TtlOptions
{
    public TimeSpan Min { get; set; } = TimeSpan.Zero;
    public TimeSpan Default { get; set; } = TimeSpan.FromDays(1);
    public TimeSpan Max { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Lifetime of a cacheable error status (404, 410 …) without its own. Default 10 s.</summary>
    public TimeSpan Error { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class TenantOptions
{
    public List<string> Domains { get; set; } = [];
}

namespace OrleansEdge.Gateway.Configuration;

/// <summary>One distribution (<c>Edge:Distributions:{Id}</c>): an origin, the hosts it serves, and its caching rules.</summary>
public sealed class DistributionOptions
{
    /// <summary>Origin base URL (http or https), e.g. <c>http://127.0.0.1:8090</c>; a path in it prefixes every request.</summary>
    public string Origin { get; set; } = "";

    /// <summary>Host names routed here (case-insensitive, port ignored); <c>*</c> takes hosts no distribution names.</summary>
    public List<string> Domains { get; set; } = [];

    public CacheTagOptions CacheTags { get; set; } = new();

    /// <summary>
    /// As CloudFront's: <c>allow-all</c> (default), <c>redirect-to-https</c> (<c>301</c> to the https URL) or
    /// <c>https-only</c> (<c>403</c> over http). The last two need an https viewer endpoint.
    /// </summary>
    public string ViewerProtocolPolicy { get; set; } = ViewerProtocolPolicies.AllowAll;

    public TtlOptions Ttl { get; set; } = new();

    /// <summary>The default behavior's cache policy, for requests no path-pattern behavior matches. Default <c>Default</c>.</summary>
    public string CachePolicy { get; set; } = Routing.CachePolicy.DefaultName;

    /// <summary>Path-pattern behaviors, in order: the first whose pattern matches the request path wins.</summary>
    public List<CacheBehaviorOptions> Behaviors { get; set; } = [];

    /// <summary>Tenants by id; each has its own domains and never shares cache entries.</summary>
    public Dictionary<string, TenantOptions> Tenants { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Custom error responses by status (400–599), as CloudFront's: a page of this distribution served instead of the
    /// error (the edge's own 502 and 504 included), under another status if wanted, and how long the error is cached.
    /// </summary>
    public Dictionary<string, ErrorResponseOptions> ErrorResponses { get; set; } = [];

    /// <summary>Largest body stored, in bytes; larger responses stream through uncached. Default 16 MiB.</summary>
    public long MaxBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Time allowed to open a connection to the origin. Default 5 s; beyond it, 504.</summary>
    public TimeSpan OriginConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time allowed for the origin's whole response. Default 30 s; beyond it, 504.</summary>
    public TimeSpan OriginTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A copy with other cache-tag settings (the console's override); the original is left as it is.</summary>
    public DistributionOptions With(CacheTagOptions cacheTags)
    {
        var copy = (DistributionOptions)MemberwiseClone();
        copy.CacheTags = cacheTags;
        return copy;
    }
}

public sealed class CacheTagOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Response header holding the comma-separated tags. Default <c>x-amz-meta-cache-tag</c>.</summary>
    public string Header { get; set; } = Grains.Interfaces.Tags.CacheTagRules.DefaultHeader;

    /// <summary>Between tags: <c>,</c> (default), <c>" "</c> (Fastly's Surrogate-Key, Cloudflare-style lists), <c>;</c> or <c>|</c>.</summary>
    public string Separator { get; set; } = ",";

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

/// <summary>One custom error response (<c>ErrorResponses:{status}</c>).</summary>
public sealed class ErrorResponseOptions
{
    /// <summary>A path of the distribution (such as <c>/errors/404.html</c>), fetched and cached like any object, whose body is served.</summary>
    public string? ResponsePagePath { get; set; }

    /// <summary>The status the viewer gets with the page; default the error's own (a single-page app may want 200).</summary>
    public int? ResponseCode { get; set; }

    /// <summary>How long the origin's error is cached when it gives no lifetime itself (CloudFront's ErrorCachingMinTTL); default <c>Ttl:Error</c>.</summary>
    public TimeSpan? Ttl { get; set; }
}

public sealed class TenantOptions
{
    public List<string> Domains { get; set; } = [];
}

/// <summary>The values of <see cref="DistributionOptions.ViewerProtocolPolicy"/>, spelled as CloudFront spells them.</summary>
public static class ViewerProtocolPolicies
{
    public const string AllowAll = "allow-all";
    public const string RedirectToHttps = "redirect-to-https";
    public const string HttpsOnly = "https-only";

    public static readonly string[] All = [AllowAll, RedirectToHttps, HttpsOnly];
}

using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Gateway.Configuration;

/// <summary>The <c>Edge</c> configuration section.</summary>
public sealed class EdgeOptions
{
    public const string Section = "Edge";

    /// <summary>Distributions by id (the id used in the invalidation API and purge URLs).</summary>
    public Dictionary<string, DistributionOptions> Distributions { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Cache policies by name, beside the built-in <c>Default</c>, <c>CachingOptimized</c> and <c>CachingDisabled</c>.</summary>
    public Dictionary<string, CachePolicyOptions> CachePolicies { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Access keys accepted on the CloudFront-compatible API (AWS Signature Version 4).</summary>
    public List<CredentialOptions> Credentials { get; set; } = [];

    /// <summary>Bearer token for <c>POST /purge</c>. Without one, purges are accepted only on a loopback-only control plane.</summary>
    public string? PurgeToken { get; set; }

    public ListenOptions Listen { get; set; } = new();

    public InvalidationOptions Invalidation { get; set; } = new();

    public DemoOptions Demo { get; set; } = new();

    public NearCacheOptions NearCache { get; set; } = new();

    public AccessLogOptions AccessLog { get; set; } = new();

    public ConsoleOptions Console { get; set; } = new();
}

/// <summary>The web console on the control plane (<c>/console</c>).</summary>
public sealed class ConsoleOptions
{
    /// <summary>How long a sign-in lasts. Default 8 hours.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);
}

/// <summary>A log line per viewer request: method, host, target, status, X-Cache result, bytes, duration, distribution.</summary>
public sealed class AccessLogOptions
{
    /// <summary>Off by default: at tens of thousands of hits a second, a line each is the operator's choice.</summary>
    public bool Enabled { get; set; }
}

/// <summary>
/// The copies each gateway of a cluster keeps in its own memory and serves without a grain call. The embedded edge has
/// none: it serves hits from its silo's copies, bounded by <c>Edge:Cluster:CacheCapacityBytes</c>.
/// </summary>
public sealed class NearCacheOptions
{
    /// <summary>Most bytes of copies a gateway keeps (least recently used go first). Default 256 MiB; 0 turns the near-cache off.</summary>
    public long CapacityBytes { get; set; } = 256L * 1024 * 1024;
}

public sealed class ListenOptions
{
    /// <summary>Viewer traffic: one URL or several separated by <c>;</c>, http or https. Default <c>http://127.0.0.1:8080</c>.</summary>
    public string Viewer { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Invalidation API, purge, metrics and health, as <see cref="Viewer"/>. Default <c>http://127.0.0.1:8081</c>.</summary>
    public string Control { get; set; } = "http://127.0.0.1:8081";

    /// <summary>The certificate of every https endpoint, read again when its files change.</summary>
    public CertificateOptions Certificate { get; set; } = new();
}

/// <summary>A TLS certificate: a PEM file with its key (<c>KeyPath</c>, or in the same file), or a PFX file with its <c>Password</c>.</summary>
public sealed class CertificateOptions
{
    public string? Path { get; set; }

    public string? KeyPath { get; set; }

    public string? Password { get; set; }
}

public sealed class InvalidationOptions
{
    /// <summary>Path and tag items in progress per distribution (CloudFront: 3,000).</summary>
    public int MaxPathsInProgress { get; set; } = 3000;

    /// <summary>Wildcard items in progress per distribution (CloudFront: 15).</summary>
    public int MaxWildcardsInProgress { get; set; } = 15;

    /// <summary>Longest item, in characters (CloudFront: 4,000).</summary>
    public int MaxPathLength { get; set; } = 4000;

    /// <summary>How long <c>POST /purge</c> waits for propagation before answering 504 with the invalidation id. Default 60 s.</summary>
    public TimeSpan PurgeTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public InvalidationLimits ToLimits() => new() { MaxPathsInProgress = MaxPathsInProgress, MaxWildcardsInProgress = MaxWildcardsInProgress };
}

public sealed class CredentialOptions
{
    public string AccessKeyId { get; set; } = "";
    public string SecretAccessKey { get; set; } = "";
}

/// <summary>The bundled demo origin (<c>--demo</c>), so that the README's walk-through works on its own.</summary>
public sealed class DemoOptions
{
    public bool Enabled { get; set; }
    public string Url { get; set; } = "http://127.0.0.1:8090";
}

namespace OrleansEdge.Grains.Interfaces.Objects;

/// <summary>
/// How an object grain reaches and caches from one distribution's origin. The gateway builds it from
/// the current configuration and sends it with each lookup, so silos need no distribution settings and
/// a configuration reload takes effect on the next miss.
/// </summary>
[GenerateSerializer, Immutable, Alias("edge.origin-profile")]
public sealed record OriginProfile
{
    /// <summary>
    /// The longest origin exchange allowed. Silos remember an invalidation for twice this long, so a fetch in
    /// flight when it was created always learns of it when its response arrives.
    /// </summary>
    public static readonly TimeSpan MaxResponseTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Origin base URL without a trailing slash, e.g. <c>http://127.0.0.1:8090</c>.</summary>
    [Id(0)] public required string BaseUrl { get; init; }

    /// <summary>The cache-tag response header, or null when tags are disabled.</summary>
    [Id(1)] public string? TagHeader { get; init; }

    [Id(2)] public TimeSpan MinTtl { get; init; }
    [Id(3)] public TimeSpan DefaultTtl { get; init; } = TimeSpan.FromDays(1);
    [Id(4)] public TimeSpan MaxTtl { get; init; } = TimeSpan.FromDays(365);

    /// <summary>Freshness of a cacheable error status (404, 410 …) that carries no explicit lifetime.</summary>
    [Id(5)] public TimeSpan ErrorTtl { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bodies larger than this are streamed to the viewer and never stored.</summary>
    [Id(6)] public long MaxBodyBytes { get; init; } = 16 * 1024 * 1024;

    [Id(7)] public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The whole origin exchange, headers and body, must finish within this.</summary>
    [Id(8)] public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A response whose tag header is longer than this (in characters, all values together) is served but not stored.</summary>
    [Id(9)] public int MaxTagHeaderBytes { get; init; } = DefaultMaxTagHeaderBytes;

    /// <summary>
    /// The request headers whose values are in the cache key (lower case): a response may vary on these and still be
    /// stored, one copy per value. <c>accept-encoding</c> always is, normalised.
    /// </summary>
    [Id(10)] public string[] KeyedHeaders { get; init; } = [AcceptEncoding];

    /// <summary>Whether the edge compresses compressible responses for viewers that accept it.</summary>
    [Id(11)] public bool Compress { get; init; } = true;

    /// <summary>Between the tags of the tag header (<see cref="Tags.CacheTagRules.Separators"/>).</summary>
    [Id(13)] public char TagSeparator { get; init; } = Tags.CacheTagRules.DefaultSeparator;

    /// <summary>Per-status lifetimes of cacheable errors without their own, replacing <see cref="ErrorTtl"/> (a distribution's ErrorResponses).</summary>
    [Id(12)] public StatusTtl[] ErrorTtls { get; init; } = [];

    /// <summary>The lifetime of a cacheable error of <paramref name="status"/> that carries none of its own.</summary>
    public TimeSpan ErrorTtlFor(int status)
    {
        foreach (var each in ErrorTtls)
        {
            if (each.Status == status)
            {
                return each.Ttl;
            }
        }

        return ErrorTtl;
    }

    public const string AcceptEncoding = "accept-encoding";

    /// <summary>16 KiB, the limit Fastly and Cloudflare put on their own tag headers.</summary>
    public const int DefaultMaxTagHeaderBytes = 16 * 1024;
}

/// <summary>How long an error of one status is cached when the origin gives it no lifetime.</summary>
[GenerateSerializer, Immutable, Alias("edge.status-ttl")]
public readonly record struct StatusTtl([property: Id(0)] int Status, [property: Id(1)] TimeSpan Ttl);

namespace OrleansEdge.Gateway.Configuration;

/// <summary>
/// A cache policy (<c>Edge:CachePolicies:{Name}</c>), as CloudFront's: what is in the cache key, and so what a cache
/// fill sends to the origin, and how long copies live. Every field left out takes the <c>Default</c> policy's value.
/// </summary>
public sealed class CachePolicyOptions
{
    /// <summary>TTL bounds; without them, the distribution's <c>Ttl</c>.</summary>
    public TtlOptions? Ttl { get; set; }

    /// <summary>Query strings in the key: <c>All</c> (default), <c>None</c>, <c>Allow</c> or <c>AllExcept</c> with <c>Items</c>.</summary>
    public KeyItemsOptions? QueryStrings { get; set; }

    /// <summary>Viewer headers in the key (and sent on a fill); none by default.</summary>
    public List<string>? Headers { get; set; }

    /// <summary>Cookies in the key: <c>None</c> (default), <c>Allow</c> with <c>Items</c>, or <c>All</c>.</summary>
    public KeyItemsOptions? Cookies { get; set; }

    /// <summary>Compress compressible responses for viewers that accept it. Default true.</summary>
    public bool? Compress { get; set; }
}

/// <summary>Which query strings or cookies a cache policy puts in the key: <c>{ "Behavior": …, "Items": [names] }</c>.</summary>
public sealed class KeyItemsOptions
{
    public string Behavior { get; set; } = "";

    /// <summary>Names, for <c>Allow</c> and <c>AllExcept</c>; case-sensitive, as in the URL or the Cookie header.</summary>
    public List<string> Items { get; set; } = [];
}

/// <summary>A path-pattern cache behavior of a distribution: requests whose path it matches use its cache policy.</summary>
public sealed class CacheBehaviorOptions
{
    /// <summary><c>*</c> any run of characters, <c>?</c> one; case-sensitive; matched against the normalised path.</summary>
    public string PathPattern { get; set; } = "";

    /// <summary>A policy of <c>Edge:CachePolicies</c> or a built-in one. Default <c>Default</c>.</summary>
    public string CachePolicy { get; set; } = Routing.CachePolicy.DefaultName;
}

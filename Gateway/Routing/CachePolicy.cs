using OrleansEdge.Gateway.Configuration;

namespace OrleansEdge.Gateway.Routing;

/// <summary>Which names of a list (query strings, cookies) a cache policy puts in the key.</summary>
internal enum KeyItems
{
    None,
    All,
    Allow,
    AllExcept,
}

/// <summary>
/// A cache policy as the gateway applies it (SPEC §3a): resolved from <c>Edge:CachePolicies</c> or a built-in one,
/// with every field it leaves out taken from the <c>Default</c> policy. Immutable; built with the route table.
/// </summary>
internal sealed class CachePolicy
{
    public const string DefaultName = "Default";
    public const string CachingOptimizedName = "CachingOptimized";
    public const string CachingDisabledName = "CachingDisabled";

    /// <summary>The managed policies, named as CloudFront names them.</summary>
    public static readonly string[] BuiltInNames = [DefaultName, CachingOptimizedName, CachingDisabledName];

    private CachePolicy(string name)
    {
        Name = name;
    }

    public string Name { get; }

    /// <summary>False for <c>CachingDisabled</c>: every request goes to the origin as sent, as a pass.</summary>
    public bool Caches { get; private init; } = true;

    public required TtlOptions Ttl { get; init; }

    public KeyItems QueryStrings { get; private init; } = KeyItems.All;

    public string[] QueryStringItems { get; private init; } = [];

    /// <summary>Header names in the key, in lower case and sorted: the order of a variant's lines.</summary>
    public string[] Headers { get; private init; } = [];

    public KeyItems Cookies { get; private init; } = KeyItems.None;

    public string[] CookieItems { get; private init; } = [];

    public bool Compress { get; private init; } = true;

    /// <summary>Whether a policy of this name exists among the built-in ones and those configured.</summary>
    public static bool Exists(string name, EdgeOptions options) =>
        BuiltInNames.Contains(name, StringComparer.OrdinalIgnoreCase) || options.CachePolicies.ContainsKey(name);

    /// <summary>The policy named <paramref name="name"/> for <paramref name="distribution"/> (whose <c>Ttl</c> is the default one).</summary>
    public static CachePolicy Resolve(string name, EdgeOptions options, DistributionOptions distribution)
    {
        var defaults = new CachePolicy(DefaultName) { Ttl = distribution.Ttl };
        if (name.Equals(DefaultName, StringComparison.OrdinalIgnoreCase))
        {
            return defaults;
        }

        if (name.Equals(CachingOptimizedName, StringComparison.OrdinalIgnoreCase))
        {
            return new CachePolicy(CachingOptimizedName) { Ttl = distribution.Ttl, QueryStrings = KeyItems.None };
        }

        if (name.Equals(CachingDisabledName, StringComparison.OrdinalIgnoreCase))
        {
            return new CachePolicy(CachingDisabledName) { Ttl = distribution.Ttl, Caches = false };
        }

        var configured = options.CachePolicies[name];
        return new CachePolicy(name)
        {
            Ttl = configured.Ttl ?? defaults.Ttl,
            QueryStrings = configured.QueryStrings is { } query ? ParseItems(query.Behavior) ?? defaults.QueryStrings : defaults.QueryStrings,
            QueryStringItems = configured.QueryStrings?.Items.ToArray() ?? [],
            Headers = configured.Headers?.Select(static h => h.Trim().ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToArray() ?? defaults.Headers,
            Cookies = configured.Cookies is { } cookies ? ParseItems(cookies.Behavior) ?? defaults.Cookies : defaults.Cookies,
            CookieItems = configured.Cookies?.Items.ToArray() ?? [],
            Compress = configured.Compress ?? defaults.Compress,
        };
    }

    /// <summary>A <c>Behavior</c> value, any case: <c>All</c>, <c>None</c>, <c>Allow</c> (CloudFront's API: <c>whitelist</c>) or <c>AllExcept</c>.</summary>
    public static KeyItems? ParseItems(string behavior) => behavior.ToLowerInvariant() switch
    {
        "all" => KeyItems.All,
        "none" => KeyItems.None,
        "allow" or "whitelist" => KeyItems.Allow,
        "allexcept" => KeyItems.AllExcept,
        _ => null,
    };

    /// <summary>Whether a query parameter or cookie of this name is in the key.</summary>
    public static bool InKey(KeyItems behavior, string[] items, ReadOnlySpan<char> name)
    {
        switch (behavior)
        {
            case KeyItems.All:
                return true;
            case KeyItems.None:
                return false;
        }

        var listed = false;
        foreach (var item in items)
        {
            listed |= name.SequenceEqual(item);
        }

        return behavior == KeyItems.Allow ? listed : !listed;
    }
}

/// <summary>A distribution's behavior: the requests whose path matches <see cref="PathPattern"/> (all, for the default one) use <see cref="Policy"/>.</summary>
internal sealed class CacheBehavior(string pathPattern, CachePolicy policy, Grains.Interfaces.Objects.OriginProfile profile)
{
    public string PathPattern { get; } = pathPattern;

    public CachePolicy Policy { get; } = policy;

    /// <summary>Sent with every lookup, so the object grain fetches and stores under this behavior's settings.</summary>
    public Grains.Interfaces.Objects.OriginProfile Profile { get; } = profile;
}

/// <summary>CloudFront's path patterns: <c>*</c> any run of characters, <c>?</c> exactly one; case-sensitive.</summary>
internal static class PathPatterns
{
    /// <summary>
    /// Whether <paramref name="path"/> matches <paramref name="pattern"/>. Linear backtracking on the last <c>*</c>:
    /// no allocation, and no pattern can make it exponential.
    /// </summary>
    public static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> path)
    {
        int p = 0, s = 0, star = -1, resume = 0;
        while (s < path.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = s;
            }
            else if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == path[s]))
            {
                p++;
                s++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                s = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>A pattern as written, with the leading <c>/</c> CloudFront lets one leave out.</summary>
    public static string Rooted(string pattern) => pattern.StartsWith('/') || pattern.StartsWith('*') ? pattern : "/" + pattern;
}

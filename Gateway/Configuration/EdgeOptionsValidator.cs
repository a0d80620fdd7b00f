using System.Net;
using Microsoft.Extensions.Options;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Interfaces.Tags;

namespace OrleansEdge.Gateway.Configuration;

/// <summary>Checks the whole <c>Edge</c> section and reports every problem, each with the key to fix.</summary>
internal sealed class EdgeOptionsValidator : IValidateOptions<EdgeOptions>
{
    public ValidateOptionsResult Validate(string? name, EdgeOptions options)
    {
        var errors = Check(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static List<string> Check(EdgeOptions options)
    {
        var errors = new List<string>();
        var domains = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var tenants = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, distribution) in options.Distributions)
        {
            foreach (var tenant in distribution.Tenants.Keys)
            {
                // The tenant API addresses a tenant by its id alone, as CloudFront's distribution tenants.
                if (!tenants.TryAdd(tenant, id))
                {
                    errors.Add($"Edge:Distributions:{id}:Tenants:{tenant}: the tenant id is already used by distribution {tenants[tenant]}; tenant ids are unique.");
                }
            }

            var key = $"Edge:Distributions:{id}";
            if (!IsId(id))
            {
                errors.Add($"{key}: the distribution id may hold only letters, digits, '-' and '_' (at most 64).");
            }

            CheckDistribution(key, distribution, domains, errors);
            CheckBehaviors(key, distribution, options, errors);
        }

        foreach (var (name, policy) in options.CachePolicies)
        {
            CheckPolicy($"Edge:CachePolicies:{name}", name, policy, errors);
        }

        var viewer = CheckListen("Edge:Listen:Viewer", options.Listen.Viewer, errors);
        var control = CheckListen("Edge:Listen:Control", options.Listen.Control, errors);
        if (viewer is not null && control is not null
            && viewer.Any(v => control.Any(c => c.Port == v.Port && (c.EndPoint.Address.Equals(v.EndPoint.Address) || IsAny(c) || IsAny(v)))))
        {
            errors.Add("Edge:Listen:Control: the control plane needs its own port, apart from Edge:Listen:Viewer.");
        }

        if (control is not null && !control.All(static c => IPAddress.IsLoopback(c.EndPoint.Address)))
        {
            if (options.Credentials.Count == 0)
            {
                errors.Add("Edge:Credentials: the control plane listens beyond loopback, so at least one access key is required.");
            }

            if (string.IsNullOrEmpty(options.PurgeToken))
            {
                errors.Add("Edge:PurgeToken: the control plane listens beyond loopback, so a purge token is required.");
            }
        }

        if ((viewer ?? []).Concat(control ?? []).Any(static e => e.Https) && Hosting.ServerCertificate.Problem(options.Listen.Certificate) is { } certificateProblem)
        {
            errors.Add(certificateProblem);
        }

        var viewerHttps = viewer?.Any(static v => v.Https) == true;
        foreach (var (id, distribution) in options.Distributions)
        {
            var policyKey = $"Edge:Distributions:{id}:ViewerProtocolPolicy";
            if (!ViewerProtocolPolicies.All.Contains(distribution.ViewerProtocolPolicy, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{policyKey}: '{distribution.ViewerProtocolPolicy}' is not one of {string.Join(", ", ViewerProtocolPolicies.All)}.");
            }
            else if (!viewerHttps && !distribution.ViewerProtocolPolicy.Equals(ViewerProtocolPolicies.AllowAll, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{policyKey}: {distribution.ViewerProtocolPolicy} needs an https endpoint in Edge:Listen:Viewer (such as http://127.0.0.1:8080;https://127.0.0.1:8443).");
            }
        }

        for (var i = 0; i < options.Credentials.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.Credentials[i].AccessKeyId) || string.IsNullOrEmpty(options.Credentials[i].SecretAccessKey))
            {
                errors.Add($"Edge:Credentials:{i}: both AccessKeyId and SecretAccessKey are required.");
            }
        }

        var limits = options.Invalidation;
        if (limits.MaxPathsInProgress < 1)
        {
            errors.Add("Edge:Invalidation:MaxPathsInProgress: must be at least 1.");
        }

        if (limits.MaxWildcardsInProgress < 1)
        {
            errors.Add("Edge:Invalidation:MaxWildcardsInProgress: must be at least 1.");
        }

        if (limits.MaxPathLength < 1)
        {
            errors.Add("Edge:Invalidation:MaxPathLength: must be at least 1.");
        }

        if (options.NearCache.CapacityBytes < 0)
        {
            errors.Add("Edge:NearCache:CapacityBytes: must not be negative.");
        }

        if (limits.PurgeTimeout <= TimeSpan.Zero)
        {
            errors.Add("Edge:Invalidation:PurgeTimeout: must be positive.");
        }

        if (options.Demo.Enabled && !Uri.TryCreate(options.Demo.Url, UriKind.Absolute, out _))
        {
            errors.Add($"Edge:Demo:Url: '{options.Demo.Url}' is not an absolute http URL.");
        }

        return errors;
    }

    private static bool IsAny(Hosting.ListenEndpoint endpoint) =>
        endpoint.EndPoint.Address.Equals(IPAddress.Any) || endpoint.EndPoint.Address.Equals(IPAddress.IPv6Any);

    private static IReadOnlyList<Hosting.ListenEndpoint>? CheckListen(string key, string value, List<string> errors)
    {
        var endpoints = Hosting.ListenEndpoints.Parse(value);
        if (endpoints is null)
        {
            errors.Add($"{key}: '{value}' is not an http or https URL with an IP address (or localhost) and port, such as http://127.0.0.1:8080 (several separated by ';').");
        }

        return endpoints;
    }

    private static void CheckDistribution(string key, DistributionOptions distribution, Dictionary<string, string> domains, List<string> errors)
    {
        if (!Uri.TryCreate(distribution.Origin, UriKind.Absolute, out var origin)
            || (origin.Scheme != Uri.UriSchemeHttp && origin.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(origin.Query) || !string.IsNullOrEmpty(origin.Fragment))
        {
            errors.Add($"{key}:Origin: '{distribution.Origin}' is not an absolute http or https URL without query or fragment.");
        }

        if (distribution.Domains.Count == 0 && distribution.Tenants.Count == 0)
        {
            errors.Add($"{key}:Domains: list at least one host name (or '*'), or give the distribution tenants.");
        }

        CheckDomains($"{key}:Domains", distribution.Domains, domains, errors);
        foreach (var (tenant, options) in distribution.Tenants)
        {
            var tenantKey = $"{key}:Tenants:{tenant}";
            if (!IsId(tenant))
            {
                errors.Add($"{tenantKey}: the tenant id may hold only letters, digits, '-' and '_' (at most 64).");
            }

            if (options.Domains.Count == 0)
            {
                errors.Add($"{tenantKey}:Domains: list at least one host name.");
            }

            CheckDomains($"{tenantKey}:Domains", options.Domains, domains, errors);
        }

        if (distribution.CacheTags.Enabled && !CacheTagRules.IsValidHeaderName(distribution.CacheTags.Header))
        {
            errors.Add($"{key}:CacheTags:Header: '{distribution.CacheTags.Header}' is not a valid HTTP header name (an RFC 7230 token of 1 to 255 characters).");
        }

        if (distribution.CacheTags.Separator is not [var separator] || !CacheTagRules.Separators.Contains(separator))
        {
            errors.Add($"{key}:CacheTags:Separator: '{distribution.CacheTags.Separator}' is not a tag separator: one of ',' (the default), ' ' (Fastly's Surrogate-Key), ';' or '|'.");
        }

        if (distribution.CacheTags.MaxHeaderBytes < 1)
        {
            errors.Add($"{key}:CacheTags:MaxHeaderBytes: must be at least 1.");
        }

        CheckTtl(key, distribution.Ttl, errors);
        foreach (var (status, error) in distribution.ErrorResponses)
        {
            var errorKey = $"{key}:ErrorResponses:{status}";
            if (!int.TryParse(status, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code) || code is < 400 or > 599)
            {
                errors.Add($"{errorKey}: '{status}' is not an error status (400 to 599).");
            }

            if (error.ResponsePagePath is { } page && (!page.StartsWith('/') || page.Contains('*') || page.Any(static c => c <= ' ')))
            {
                errors.Add($"{errorKey}:ResponsePagePath: '{page}' is not a path of the distribution (such as /errors/404.html).");
            }

            if (error.ResponseCode is { } responseCode && (responseCode is < 200 or > 599 || error.ResponsePagePath is null))
            {
                errors.Add(error.ResponsePagePath is null
                    ? $"{errorKey}:ResponseCode: a response code needs a ResponsePagePath to serve with it."
                    : $"{errorKey}:ResponseCode: {responseCode} is not a status from 200 to 599.");
            }

            if (error.Ttl < TimeSpan.Zero)
            {
                errors.Add($"{errorKey}:Ttl: must not be negative.");
            }
        }

        if (distribution.MaxBodyBytes < 0)
        {
            errors.Add($"{key}:MaxBodyBytes: must not be negative.");
        }

        if (distribution.OriginConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{key}:OriginConnectTimeout: must be positive.");
        }

        if (distribution.OriginTimeout <= TimeSpan.Zero || distribution.OriginTimeout > OriginProfile.MaxResponseTimeout)
        {
            errors.Add($"{key}:OriginTimeout: must be positive and at most {OriginProfile.MaxResponseTimeout}.");
        }
    }

    private static void CheckTtl(string key, TtlOptions ttl, List<string> errors)
    {
        foreach (var (name, value) in new[] { ("Min", ttl.Min), ("Default", ttl.Default), ("Max", ttl.Max), ("Error", ttl.Error) })
        {
            if (value < TimeSpan.Zero)
            {
                errors.Add($"{key}:Ttl:{name}: must not be negative.");
            }
        }

        if (ttl.Min > ttl.Max)
        {
            errors.Add($"{key}:Ttl:Min: {ttl.Min} is greater than Ttl:Max ({ttl.Max}).");
        }
        else if (ttl.Default < ttl.Min || ttl.Default > ttl.Max)
        {
            errors.Add($"{key}:Ttl:Default: {ttl.Default} lies outside [Ttl:Min, Ttl:Max] ({ttl.Min} to {ttl.Max}).");
        }
    }

    private static void CheckBehaviors(string key, DistributionOptions distribution, EdgeOptions options, List<string> errors)
    {
        CheckPolicyName($"{key}:CachePolicy", distribution.CachePolicy, options, errors);
        for (var i = 0; i < distribution.Behaviors.Count; i++)
        {
            var behavior = distribution.Behaviors[i];
            var behaviorKey = $"{key}:Behaviors:{i}";
            if (string.IsNullOrWhiteSpace(behavior.PathPattern) || behavior.PathPattern.Length > 255
                || behavior.PathPattern.Any(static c => c <= ' ' || c > '~'))
            {
                errors.Add($"{behaviorKey}:PathPattern: '{behavior.PathPattern}' is not a path pattern (1 to 255 visible ASCII characters, such as /images/*.jpg).");
            }

            CheckPolicyName($"{behaviorKey}:CachePolicy", behavior.CachePolicy, options, errors);
        }
    }

    private static void CheckPolicyName(string key, string name, EdgeOptions options, List<string> errors)
    {
        if (!Routing.CachePolicy.Exists(name, options))
        {
            errors.Add($"{key}: no cache policy is named '{name}'; use {string.Join(", ", Routing.CachePolicy.BuiltInNames)} or one of Edge:CachePolicies.");
        }
    }

    /// <summary>Request headers the edge itself decides about, which no cache policy may put in a key.</summary>
    private static readonly HashSet<string> EdgeOwnedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Accept-Encoding", "Cookie", "Authorization", "Host", "Range", "If-Range", "If-None-Match", "If-Modified-Since",
        "If-Match", "If-Unmodified-Since", "Connection", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Content-Length", "Expect", "Proxy-Authorization", "Proxy-Connection", "Via",
    };

    private static void CheckPolicy(string key, string name, CachePolicyOptions policy, List<string> errors)
    {
        if (Routing.CachePolicy.BuiltInNames.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"{key}: '{name}' is a built-in cache policy and cannot be redefined; give yours another name.");
        }

        if (policy.Ttl is { } ttl)
        {
            CheckTtl(key, ttl, errors);
        }

        CheckItems($"{key}:QueryStrings", policy.QueryStrings, "All, None, Allow or AllExcept", allowAllExcept: true, errors);
        CheckItems($"{key}:Cookies", policy.Cookies, "None, Allow, AllExcept or All", allowAllExcept: true, errors);
        for (var i = 0; i < (policy.Headers?.Count ?? 0); i++)
        {
            var header = policy.Headers![i].Trim();
            if (!CacheTagRules.IsValidHeaderName(header))
            {
                errors.Add($"{key}:Headers:{i}: '{policy.Headers[i]}' is not a valid HTTP header name.");
            }
            else if (EdgeOwnedHeaders.Contains(header))
            {
                errors.Add($"{key}:Headers:{i}: '{header}' cannot be in a cache key: the edge handles it itself"
                    + (header.Equals("Cookie", StringComparison.OrdinalIgnoreCase) ? " (use Cookies)." : "."));
            }
        }
    }

    private static void CheckItems(string key, KeyItemsOptions? items, string allowed, bool allowAllExcept, List<string> errors)
    {
        if (items is null)
        {
            return;
        }

        var behavior = Routing.CachePolicy.ParseItems(items.Behavior);
        if (behavior is null || (!allowAllExcept && behavior == Routing.KeyItems.AllExcept))
        {
            errors.Add($"{key}:Behavior: '{items.Behavior}' is not one of {allowed}.");
            return;
        }

        var listed = behavior is Routing.KeyItems.Allow or Routing.KeyItems.AllExcept;
        if (listed && items.Items.Count == 0)
        {
            errors.Add($"{key}:Items: {items.Behavior} needs at least one name.");
        }
        else if (!listed && items.Items.Count > 0)
        {
            errors.Add($"{key}:Items: names are only read with Allow or AllExcept, not with {items.Behavior}.");
        }

        for (var i = 0; i < items.Items.Count; i++)
        {
            var item = items.Items[i];
            if (item.Length == 0 || item.Any(static c => c <= ' ' || c > '~' || c is ';' or '&' or '='))
            {
                errors.Add($"{key}:Items:{i}: '{item}' is not a name (visible ASCII, without ';', '&' or '=').");
            }
        }
    }

    private static void CheckDomains(string key, List<string> list, Dictionary<string, string> seen, List<string> errors)
    {
        for (var i = 0; i < list.Count; i++)
        {
            var domain = list[i];
            if (domain != "*" && Uri.CheckHostName(domain) == UriHostNameType.Unknown)
            {
                errors.Add($"{key}:{i}: '{domain}' is not a host name.");
            }
            else if (!seen.TryAdd(domain, $"{key}:{i}"))
            {
                errors.Add($"{key}:{i}: '{domain}' is already routed by {seen[domain]}.");
            }
        }
    }

    private static bool IsId(string id) =>
        id.Length is > 0 and <= 64 && id.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}

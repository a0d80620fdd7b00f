using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Grains.Interfaces.Settings;

namespace OrleansEdge.Gateway.Routing;

/// <summary>Host → distribution and tenant, built once per configuration and never changed after.</summary>
internal sealed class RouteTable
{
    private readonly Dictionary<string, ViewerRoute>.AlternateLookup<ReadOnlySpan<char>> _hosts;
    private readonly ViewerRoute? _wildcard;
    private readonly Dictionary<string, Distribution> _distributions;
    private readonly Dictionary<string, (Distribution, string)> _tenants = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The options this table was built from, as the configuration gives them (without the console's overrides).</summary>
    public EdgeOptions Options { get; }

    /// <summary>The console's overrides, applied over <see cref="Options"/> in the distributions served.</summary>
    public SettingsOverrides Overrides { get; }

    public RouteTable(EdgeOptions options, SettingsOverrides? overrides = null)
    {
        Options = options;
        Overrides = overrides ?? SettingsOverrides.None;
        var hosts = new Dictionary<string, ViewerRoute>(StringComparer.OrdinalIgnoreCase);
        _distributions = new Dictionary<string, Distribution>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, distributionOptions) in options.Distributions)
        {
            var distribution = new Distribution(id, WithOverrides(id, distributionOptions), options);
            _distributions[id] = distribution;
            var route = new ViewerRoute(distribution, "", EdgeKeys.Scope(id, ""));
            foreach (var domain in distributionOptions.Domains)
            {
                if (domain == "*")
                {
                    _wildcard = route;
                }
                else
                {
                    hosts[domain] = route;
                }
            }

            foreach (var (tenant, tenantOptions) in distributionOptions.Tenants)
            {
                var tenantRoute = new ViewerRoute(distribution, tenant, EdgeKeys.Scope(id, tenant));
                _tenants[tenant] = (distribution, tenant);
                foreach (var domain in tenantOptions.Domains)
                {
                    hosts[domain] = tenantRoute;
                }
            }
        }

        _hosts = hosts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The distribution's options with the console's cache-tag settings in place of the file's, when it has them.</summary>
    private DistributionOptions WithOverrides(string id, DistributionOptions configured) =>
        Overrides.CacheTags.TryGetValue(id, out var tags)
            ? configured.With(new CacheTagOptions
            {
                Enabled = tags.Enabled,
                Header = tags.Header,
                Separator = configured.CacheTags.Separator,
                StripFromResponse = configured.CacheTags.StripFromResponse,
                MaxHeaderBytes = configured.CacheTags.MaxHeaderBytes,
            })
            : configured;

    public ViewerRoute? Match(ReadOnlySpan<char> host) =>
        _hosts.TryGetValue(host.TrimEnd('.'), out var route) ? route : _wildcard;

    public Distribution? FindDistribution(string id) => _distributions.GetValueOrDefault(id);

    /// <summary>A tenant by its id, unique across distributions as CloudFront's distribution tenants are.</summary>
    public (Distribution Distribution, string Tenant)? FindTenant(string tenantId) =>
        _tenants.TryGetValue(tenantId, out var owner) ? owner : null;
}

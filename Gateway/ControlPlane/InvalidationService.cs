using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Gateway.Routing;

namespace OrleansEdge.Gateway.ControlPlane;

/// <summary>The one way the control plane's front ends (CloudFront API, purge) reach the invalidation engine.</summary>
internal sealed class InvalidationService(IGrainFactory grains, RouteTableProvider routes, TimeProvider time)
{
    public EdgeOptions Options => routes.Options;

    public Distribution? FindDistribution(string id) => routes.Current.FindDistribution(id);

    public (Distribution Distribution, string Tenant)? FindTenant(string tenantId) => routes.Current.FindTenant(tenantId);

    /// <summary>
    /// Why a batch can never be accepted, however long the caller waits (more items than may ever be in progress
    /// at once), or null. Both front ends answer it as CloudFront's BatchTooLarge, not as "too many in progress".
    /// </summary>
    public string? BatchTooLarge(IReadOnlyList<InvalidationItem> items)
    {
        var limits = routes.Options.Invalidation;
        var wildcards = 0;
        foreach (var item in items)
        {
            wildcards += item.Kind == InvalidationItemKind.Prefix ? 1 : 0;
        }

        return items.Count - wildcards > limits.MaxPathsInProgress || wildcards > limits.MaxWildcardsInProgress
            ? $"A batch may hold at most {limits.MaxPathsInProgress} paths and tags and {limits.MaxWildcardsInProgress} wildcard paths; this one has {items.Count - wildcards} and {wildcards}."
            : null;
    }

    public Task<InvalidationCreation> CreateAsync(
        Distribution distribution, string tenant, string callerReference, string[] paths, InvalidationItem[] items, bool soft)
    {
        var request = new InvalidationRequest
        {
            Distribution = distribution.Id,
            Tenant = tenant,
            CallerReference = callerReference,
            Paths = paths,
            Items = items,
            TagHeader = distribution.TagHeader,
            Soft = soft,
        };
        return grains.GetGrain<IInvalidationLogGrain>(distribution.Id).CreateAsync(request, routes.Options.Invalidation.ToLimits());
    }

    public Task<InvalidationRecord?> GetAsync(Distribution distribution, string tenant, string id) =>
        Record(distribution, tenant, id).GetAsync();

    public Task<InvalidationPage> ListAsync(Distribution distribution, string tenant, string? marker, int maxItems) =>
        grains.GetGrain<IInvalidationLogGrain>(distribution.Id).ListAsync(tenant, marker, maxItems);

    /// <summary>The completed record, or null if propagation did not finish within <paramref name="timeout"/>.</summary>
    public Task<InvalidationRecord?> WaitAsync(Distribution distribution, string tenant, string id, TimeSpan timeout) =>
        Record(distribution, tenant, id).WaitUntilCompletedAsync(timeout, time);

    private IInvalidationGrain Record(Distribution distribution, string tenant, string id) =>
        grains.GetGrain<IInvalidationGrain>(EdgeKeys.Invalidation(distribution.Id, tenant, id));
}

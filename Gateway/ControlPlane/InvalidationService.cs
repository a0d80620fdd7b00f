using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;

namespace OrleansEdge.Gateway.ControlPlane;

/// <summary>The one way the control plane's front ends (CloudFront API, purge) reach the invalidation engine.</summary>
internal sealed class InvalidationService(IGrainFactory grains, RouteTableProvider routes)
{
    public EdgeOptions Options => routes.Options;

    /// <summary>A failure of the cluster (a silo, a timeout, the storage behind a grain), not of the request: worth a retry.</summary>
    public static bool IsClusterFailure(Exception exception) => exception is OrleansException or TimeoutException or SiloUnavailableException;

    public Distribution? FindDistribution(string id) => routes.Current.FindDistribution(id);

    public (Distribution Distribution, string Tenant)? FindTenant(string tenantId) => routes.Current.FindTenant(tenantId);

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
    /// <remarks>
    /// If the silo running the invalidation dies, the next call activates its grain elsewhere, which resumes
    /// the run from its durable record: waiting again is all it takes.
    /// </remarks>
    public async Task<InvalidationRecord?> WaitAsync(Distribution distribution, string tenant, string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return null;
            }

            try
            {
                return await Record(distribution, tenant, id).WaitForCompletionAsync().WaitAsync(left);
            }
            catch (TimeoutException)
            {
                return null;
            }
            catch (Exception exception) when (exception is OrleansException or SiloUnavailableException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
    }

    private IInvalidationGrain Record(Distribution distribution, string tenant, string id) =>
        grains.GetGrain<IInvalidationGrain>(EdgeKeys.Invalidation(distribution.Id, tenant, id));
}

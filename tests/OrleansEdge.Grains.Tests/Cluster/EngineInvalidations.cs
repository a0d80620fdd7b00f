using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;

namespace OrleansEdge.Grains.Tests.Cluster;

/// <summary>Invalidations through the real engine (log grain, then record grain), as the gateway's control plane sends them.</summary>
internal static class EngineInvalidations
{
    public const string TagHeader = "x-amz-meta-cache-tag";

    public static Task<InvalidationCreation> CreateAsync(
        IGrainFactory grains, string distribution, string[] items,
        bool soft = false, string? tagHeader = TagHeader, string? callerReference = null, InvalidationLimits? limits = null)
    {
        var parsed = items.Select(item =>
        {
            Assert.True(InvalidationItemParser.TryParse(item, 4000, out var each, out var error), error);
            return each;
        }).ToArray();
        var request = new InvalidationRequest
        {
            Distribution = distribution,
            Tenant = "",
            CallerReference = callerReference ?? Guid.NewGuid().ToString("N"),
            Paths = items,
            Items = parsed,
            TagHeader = tagHeader,
            Soft = soft,
        };
        return grains.GetGrain<IInvalidationLogGrain>(distribution).CreateAsync(request, limits ?? new InvalidationLimits());
    }

    public static IInvalidationGrain Record(IGrainFactory grains, string distribution, string id) =>
        grains.GetGrain<IInvalidationGrain>(EdgeKeys.Invalidation(distribution, "", id));

    /// <summary>Creates the invalidation and waits until it is Completed.</summary>
    public static async Task<InvalidationRecord> RunAsync(
        IGrainFactory grains, string distribution, string[] items, bool soft = false, string? tagHeader = TagHeader, string? callerReference = null)
    {
        var creation = await CreateAsync(grains, distribution, items, soft, tagHeader, callerReference);
        Assert.NotNull(creation.Record);
        var record = await Record(grains, distribution, creation.Record.Id).WaitUntilCompletedAsync(TimeSpan.FromMinutes(2), TimeProvider.System);
        Assert.Equal(InvalidationStatus.Completed, record!.Status);
        return record;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansEdge.Grains.Hosting;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Invalidations;
using OrleansEdge.Grains.Objects;
using OrleansEdge.Tests.Shared;

namespace OrleansEdge.Grains.Tests.Cluster;

/// <summary>A cluster of its own whose silos may hold only 64 KiB of copies each.</summary>
public sealed class EvictionTests : IAsyncLifetime
{
    private const long Capacity = 64 * 1024;
    private TestOrigin _origin = null!;
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _origin = await TestOrigin.StartAsync();
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(EdgeStorage.Name);
            silo.UseInMemoryReminderService();
            silo.AddEdgeGrains(cacheCapacityBytes: Capacity);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _origin.DisposeAsync();
    }

    [Fact]
    public async Task FilledPastCapacity_StaysBounded_EvictedComeBackAsMisses_TagsStayConsistent()
    {
        var distribution = EdgeClusterFixture.NewDistribution();
        var profile = new OriginProfile { BaseUrl = _origin.BaseUrl, TagHeader = "x-amz-meta-cache-tag" };
        var targets = Enumerable.Range(0, 300).Select(i => $"/fill/{i}?tags=fill&size=2000").ToArray();
        ICachedObjectGrain Object(string target) => _cluster.Client.GetGrain<ICachedObjectGrain>(EdgeKeys.Object(distribution, "", target));
        foreach (var target in targets)
        {
            await Object(target).LookupAsync(profile, TimeSpan.FromMinutes(2), TimeProvider.System);
        }

        // 300 objects of ~2.5 KB against 2 × 64 KiB: each silo stays within its capacity.
        foreach (var silo in _cluster.Silos)
        {
            var budget = _cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<SiloObjectStore>();
            Assert.InRange(budget.Bytes, 0, Capacity);
        }

        // The oldest went first and come back as misses; the newest are still there.
        Assert.Equal(LookupOutcome.Miss, (await Object(targets[0]).LookupAsync(profile, TimeSpan.FromMinutes(2), TimeProvider.System)).Outcome);
        Assert.Equal(LookupOutcome.Hit, (await Object(targets[^1]).LookupAsync(profile, TimeSpan.FromMinutes(2), TimeProvider.System)).Outcome);

        // Evicted objects left the tag: an invalidation reaches only what is still held, and all of it.
        var record = await EngineInvalidations.RunAsync(_cluster.Client, distribution, ["#fill"]);
        Assert.InRange(record.ObjectsInvalidated, 1, (int)(2 * Capacity / 2000));
        Assert.Equal(LookupOutcome.Miss, (await Object(targets[^1]).LookupAsync(profile, TimeSpan.FromMinutes(2), TimeProvider.System)).Outcome);
    }
}

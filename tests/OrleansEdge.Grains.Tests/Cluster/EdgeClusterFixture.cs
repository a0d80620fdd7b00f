using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using OrleansEdge.Grains.Hosting;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Invalidations;
using OrleansEdge.Grains.Objects;
using OrleansEdge.Tests.Shared;

namespace OrleansEdge.Grains.Tests.Cluster;

/// <summary>A three-silo cluster and a real loopback origin, built once for every cluster test.</summary>
public sealed class EdgeClusterFixture : IAsyncLifetime
{
    public const string TagHeader = EngineInvalidations.TagHeader;

    public static readonly TimeSpan IdleCollectionAge = TimeSpan.FromSeconds(2);

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public TestOrigin Origin { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        Origin = await TestOrigin.StartAsync();
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(EdgeStorage.Name);
            silo.UseInMemoryReminderService();
            silo.AddEdgeGrains();
            silo.AddActivityPropagation();

            // Tag grains collected after two idle seconds: a tag's membership must not depend on its grain staying
            // alive between invalidations.
            silo.Configure<GrainCollectionOptions>(options =>
            {
                options.CollectionQuantum = TimeSpan.FromSeconds(1);
                options.ClassSpecificCollectionAge[typeof(OrleansEdge.Grains.Tags.TagGrain).FullName!] = IdleCollectionAge;
            });
        });
        builder.ConfigureClient(client => client.AddActivityPropagation());
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Origin.DisposeAsync();
    }

    /// <summary>The silo whose store holds a copy of <paramref name="key"/>, or null when none does.</summary>
    public static SiloAddress? HolderOf(InProcessTestCluster cluster, string key) =>
        cluster.Silos.FirstOrDefault(silo =>
            cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<SiloObjectStore>().Find(key).Copy is not null)?.SiloAddress;

    public OriginProfile Profile(string? tagHeader = TagHeader) => new() { BaseUrl = Origin.BaseUrl, TagHeader = tagHeader };

    public ICachedObjectGrain Object(string distribution, string target) =>
        Grains.GetGrain<ICachedObjectGrain>(EdgeKeys.Object(distribution, "", target));

    public Task<ObjectLookup> GetAsync(string distribution, string target, OriginProfile? profile = null) =>
        Object(distribution, target).LookupAsync(profile ?? Profile(), TimeSpan.FromMinutes(2), TimeProvider.System);

    /// <summary>Runs an invalidation through the real engine (log grain, then record grain) and waits for Completed.</summary>
    public Task<InvalidationRecord> InvalidateAsync(string distribution, bool soft, params string[] items) =>
        EngineInvalidations.RunAsync(Grains, distribution, items, soft);

    public Task<InvalidationRecord> InvalidateAsync(string distribution, bool soft, string? tagHeader, string[] items, string? callerReference = null) =>
        EngineInvalidations.RunAsync(Grains, distribution, items, soft, tagHeader, callerReference);

    public Task<InvalidationCreation> CreateAsync(
        string distribution, bool soft, string? tagHeader, string[] items, string? callerReference = null, InvalidationLimits? limits = null) =>
        EngineInvalidations.CreateAsync(Grains, distribution, items, soft, tagHeader, callerReference, limits);

    /// <summary>A distribution id of its own, so that no two tests share keys, tags or limits.</summary>
    public static string NewDistribution() => "D" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
}

[CollectionDefinition(Name)]
public sealed class EdgeCluster : ICollectionFixture<EdgeClusterFixture>
{
    public const string Name = "edge-cluster";
}

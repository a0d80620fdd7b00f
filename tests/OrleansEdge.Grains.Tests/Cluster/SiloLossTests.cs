using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansEdge.Grains.Hosting;
using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Invalidations;
using OrleansEdge.Tests.Shared;
using StackExchange.Redis;

namespace OrleansEdge.Grains.Tests.Cluster;

/// <summary>
/// A cluster of its own, with cluster mode's Redis records, whose silos these tests kill: the guarantee must hold
/// after a silo hosting objects, a tag's grain or a running invalidation has died.
/// </summary>
public sealed class SiloLossTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private TestOrigin _origin = null!;
    private InProcessTestCluster _cluster = null!;
    private readonly string _serviceId = "silo-loss-" + Guid.NewGuid().ToString("N")[..8];
    private ConnectionMultiplexer _multiplexer = null!;

    public async Task InitializeAsync()
    {
        // Its own Redis, durable: one test stops it, and what was acknowledged must be there when it is back.
        _redis = await RedisServer.StartPrivateAsync(durable: true);
        _origin = await TestOrigin.StartAsync();
        var serviceId = _serviceId;
        var multiplexer = _multiplexer = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) =>
        {
            // Records in Redis too, as in cluster mode: memory storage would die with the silo under test.
            silo.AddRedisGrainStorage(EdgeStorage.Name, options => options.ConfigurationOptions = ConfigurationOptions.Parse(_redis.ConnectionString));
            silo.Services.AddSingleton<IInvalidationLogStore>(new RedisInvalidationLogStore(multiplexer, serviceId));
            silo.UseRedisReminderService(options => options.ConfigurationOptions = ConfigurationOptions.Parse(_redis.ConnectionString));
            silo.AddEdgeGrains();
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _origin.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private IGrainFactory Grains => _cluster.Client;

    [Fact]
    public async Task InvalidationLog_OneStoredFieldPerInvalidation_SoAWriteCostsTheSameHoweverLongTheLog()
    {
        var distribution = $"LOG{Guid.NewGuid():N}"[..20];
        for (var i = 0; i < 40; i++)
        {
            await EngineInvalidations.RunAsync(Grains, distribution, [$"/log/{i}"], callerReference: $"{new string('r', 250)}{i:D3}");
        }

        var hash = await _multiplexer.GetDatabase().HashGetAllAsync($"{_serviceId}/log/{distribution}");
        Assert.Equal(40, hash.Length);
        Assert.All(hash, field => Assert.InRange(((string)field.Value!).Length, 1, 1024));

        // Read back by a fresh activation: the list is what was written, newest first.
        await Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var page = await Grains.GetGrain<IInvalidationLogGrain>(distribution).ListAsync("", null, 100);
        Assert.Equal(40, page.Items.Length);
        Assert.True(page.Items.Zip(page.Items.Skip(1)).All(pair => pair.First.Created >= pair.Second.Created));
    }

    [Fact]
    public async Task CompletionUnrecordable_WhileRedisIsDown_StatusStaysInProgressEverywhere_ThenCompletedEverywhere()
    {
        var distribution = EdgeClusterFixture.NewDistribution();
        var gateway = new HeldGateway();
        var registry = Grains.GetGrain<IGatewayRegistryGrain>(IGatewayRegistryGrain.Key);
        await registry.RenewAsync(Guid.NewGuid(), Grains.CreateObjectReference<IGatewayObserver>(gateway));
        var id = (await EngineInvalidations.CreateAsync(Grains, distribution, ["/unrecorded"])).Record!.Id;
        await gateway.Received(id);
        var record = EngineInvalidations.Record(Grains, distribution, id);
        var log = Grains.GetGrain<IInvalidationLogGrain>(distribution);
        async Task<(InvalidationStatus Listed, InvalidationStatus Record)> StatusAsync() =>
            ((await log.ListAsync("", null, 100)).Items.Single(s => s.Id == id).Status, (await record.GetAsync())!.Status);

        // The run reaches everything while Redis is down, so the one write of its completion fails and is retried:
        // the log, the only holder of the status, and the record read from it both keep saying InProgress.
        await _redis.StopAsync();
        try
        {
            gateway.Release(id);
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal((InvalidationStatus.InProgress, InvalidationStatus.InProgress), await StatusAsync());
                await Task.Delay(50);
            }
        }
        finally
        {
            await _redis.RestartAsync(TimeSpan.Zero);
        }

        var status = await StatusAsync();
        for (var i = 0; i < 300 && status.Listed != InvalidationStatus.Completed; i++)
        {
            await Task.Delay(100);
            status = await StatusAsync();
        }

        Assert.Equal((InvalidationStatus.Completed, InvalidationStatus.Completed), status);

        // A fresh activation of both reads the same from storage.
        await Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        Assert.Equal((InvalidationStatus.Completed, InvalidationStatus.Completed), await StatusAsync());
    }

    private OriginProfile Profile => new() { BaseUrl = _origin.BaseUrl, TagHeader = "x-amz-meta-cache-tag" };

    private Task<ObjectLookup> GetAsync(string distribution, string target) =>
        Grains.GetGrain<ICachedObjectGrain>(EdgeKeys.Object(distribution, "", target)).LookupAsync(Profile, TimeSpan.FromMinutes(2), TimeProvider.System);

    private Task InvalidateAsync(string distribution, string item) => EngineInvalidations.RunAsync(Grains, distribution, [item]);

    /// <summary>The silo hosting the grain whose key is given, or null while it has no activation.</summary>
    private async Task<SiloAddress?> HostOfAsync(string grainTypeFragment, string key)
    {
        var statistics = await Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.FirstOrDefault(s => s.GrainType.Contains(grainTypeFragment, StringComparison.Ordinal) && s.GrainId.Key.ToString() == key)?.SiloAddress;
    }

    /// <summary>Fills objects until some live away from the primary silo (the test cluster's anchor), and returns that silo.</summary>
    private async Task<SiloAddress> FillUntilAwayFromPrimaryAsync(string distribution, string[] targets)
    {
        await Task.WhenAll(targets.Select(target => GetAsync(distribution, target)));
        var primary = _cluster.Silos[0].SiloAddress;
        foreach (var target in targets)
        {
            if (EdgeClusterFixture.HolderOf(_cluster, EdgeKeys.Object(distribution, "", target)) is { } host && !host.Equals(primary))
            {
                return host;
            }
        }

        throw new InvalidOperationException("Every object was placed on the primary silo.");
    }

    [Fact]
    public async Task SiloHostingMembersKilled_InvalidateTag_Completes_NoSurvivorKeepsACopy()
    {
        var distribution = EdgeClusterFixture.NewDistribution();
        var tag = $"loss-{Guid.NewGuid():N}";
        var targets = Enumerable.Range(0, 40).Select(i => $"/loss/{i}?tags={tag}").ToArray();
        var doomed = await FillUntilAwayFromPrimaryAsync(distribution, targets);

        // Killed, not stopped: its members of the tag die with it, and the invalidation must not wait for them.
        await _cluster.KillSiloAsync(_cluster.Silos.Single(s => s.SiloAddress.Equals(doomed)));
        await InvalidateAsync(distribution, $"#{tag}");
        await _cluster.WaitForLivenessToStabilizeAsync();
        foreach (var target in targets)
        {
            Assert.Equal(LookupOutcome.Miss, (await GetAsync(distribution, target)).Outcome);
        }
    }

    [Fact]
    public async Task InvalidationInProgress_ItsSiloKilled_StillCompletes_NoCopyLeft()
    {
        var distribution = EdgeClusterFixture.NewDistribution();
        var primary = _cluster.Silos[0].SiloAddress;

        // A gateway that holds every notice until released keeps each invalidation provably in progress.
        var gateway = new HeldGateway();
        var reference = Grains.CreateObjectReference<IGatewayObserver>(gateway);
        var registry = Grains.GetGrain<IGatewayRegistryGrain>(IGatewayRegistryGrain.Key);
        await registry.RenewAsync(Guid.NewGuid(), reference);

        string? id = null;
        string? tag = null;
        SiloAddress? host = null;
        for (var attempt = 0; attempt < 20 && host is null; attempt++)
        {
            tag = $"running-{attempt}-{Guid.NewGuid():N}";
            await Task.WhenAll(Enumerable.Range(0, 30).Select(i => GetAsync(distribution, $"/running/{attempt}/{i}?tags={tag}")));
            var creation = await EngineInvalidations.CreateAsync(Grains, distribution, [$"#{tag}"], callerReference: tag);
            id = creation.Record!.Id;
            await gateway.Received(id);
            var where = await HostOfAsync("InvalidationGrain", EdgeKeys.Invalidation(distribution, "", id));
            host = where is not null && !where.Equals(primary) ? where : null;
            if (host is null)
            {
                // Notices reach one observer one at a time: let this one finish before the next attempt.
                gateway.Release(id);
            }
        }

        Assert.NotNull(host);
        var record = EngineInvalidations.Record(Grains, distribution, id!);
        Assert.Equal(InvalidationStatus.InProgress, (await record.GetAsync())!.Status);

        await _cluster.KillSiloAsync(_cluster.Silos.Single(s => s.SiloAddress.Equals(host)));
        gateway.Release(id!);
        await _cluster.WaitForLivenessToStabilizeAsync();

        // Nobody asks about it: the log's reminder, kept in the cluster's reminder table, wakes the record elsewhere,
        // which resumes the run from Redis. Watched through the log's listing, which does not touch the record.
        var log = Grains.GetGrain<IInvalidationLogGrain>(distribution);
        var status = InvalidationStatus.InProgress;
        for (var i = 0; i < 600 && status != InvalidationStatus.Completed; i++)
        {
            try
            {
                status = (await log.ListAsync("", null, 100)).Items.Single(s => s.Id == id).Status;
            }
            catch (Exception exception) when (exception is OrleansException or SiloUnavailableException or TimeoutException)
            {
            }

            await Task.Delay(100);
        }

        Assert.Equal(InvalidationStatus.Completed, status);
        Assert.Equal(InvalidationStatus.Completed, (await record.GetAsync())!.Status);
        var lastAttempt = tag!.Split('-')[1];
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(LookupOutcome.Miss, (await GetAsync(distribution, $"/running/{lastAttempt}/{i}?tags={tag}")).Outcome);
        }
    }

    /// <summary>A gateway whose notices wait until the test lets them through.</summary>
    private sealed class HeldGateway : IGatewayObserver
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _received = new();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _released = new();

        public Task Received(string invalidationId) => Signal(_received, invalidationId).Task;

        public void Release(string invalidationId) => Signal(_released, invalidationId).TrySetResult();

        public async Task ApplyAsync(InvalidationNotice notice)
        {
            Signal(_received, notice.InvalidationId).TrySetResult();
            await Signal(_released, notice.InvalidationId).Task;
        }

        private static TaskCompletionSource Signal(System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> signals, string id) =>
            signals.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    [Fact]
    public async Task SiloHostingObjectsKilled_InvalidatePrefix_Completes_NoSurvivorKeepsACopy()
    {
        var distribution = EdgeClusterFixture.NewDistribution();
        var targets = Enumerable.Range(0, 60).Select(i => $"/prefix-loss/{i}").ToArray();
        var doomed = await FillUntilAwayFromPrimaryAsync(distribution, targets);

        await _cluster.KillSiloAsync(_cluster.Silos.Single(s => s.SiloAddress.Equals(doomed)));
        await InvalidateAsync(distribution, "/prefix-loss/*");
        await _cluster.WaitForLivenessToStabilizeAsync();
        foreach (var target in targets)
        {
            Assert.Equal(LookupOutcome.Miss, (await GetAsync(distribution, target)).Outcome);
        }
    }
}

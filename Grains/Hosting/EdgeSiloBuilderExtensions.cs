using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Interfaces.Caching;
using OrleansEdge.Grains.Interfaces.Diagnostics;
using OrleansEdge.Grains.Interfaces.Origin;
using OrleansEdge.Grains.Invalidations;
using OrleansEdge.Grains.Objects;
using StackExchange.Redis;

namespace OrleansEdge.Grains.Hosting;

public static class EdgeSiloBuilderExtensions
{
    private const int DirectoryCacheSize = 20_000;

    /// <summary>Registers what the edge's grains need: the origin client, each silo's object store, metrics and a clock.</summary>
    public static ISiloBuilder AddEdgeGrains(this ISiloBuilder silo, TimeSpan? objectIdleLifetime = null, long? cacheCapacityBytes = null)
    {
        var defaults = new EdgeClusterOptions();
        var capacity = cacheCapacityBytes ?? defaults.CacheCapacityBytes;
        var idleLifetime = objectIdleLifetime ?? defaults.ObjectIdleLifetime;
        silo.Services.AddMetrics();
        silo.Services.AddOriginHttpClient();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddSingleton<GrainMetrics>();
        silo.Services.TryAddSingleton<OriginFetcher>();
        silo.Services.TryAddSingleton(sp => new SiloObjectStore(
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<GrainMetrics>(), capacity, idleLifetime));
        silo.Services.TryAddSingleton<IHeldCopies>(sp => sp.GetRequiredService<SiloObjectStore>());
        silo.AddPlacementDirector<ObjectPlacementStrategy, ObjectPlacementDirector>();
        silo.AddGrainDirectory(ObjectHomeDirectory.Name, static (_, _) => new ObjectHomeDirectory());
        silo.Services.AddSingleton<Orleans.Runtime.GrainDirectory.IGrainDirectoryCache, ObjectHomeCache>();

        // Each address the directory cache keeps costs about 450 bytes (a fifth of a cached 1 KiB object), and Orleans
        // keeps up to a million. Objects are never in it (ObjectHomeCache computes their place); the few other grains
        // fit many times over.
        silo.Configure<GrainDirectoryOptions>(options => options.CacheSize = DirectoryCacheSize);
        silo.Services.TryAddSingleton<IInvalidationLogStore, MemoryInvalidationLogStore>();
        silo.AddGrainService<SiloFanOutService>();
        silo.AddGrainService<ObjectHomeService>();
        silo.Services.TryAddSingleton<ObjectFanOut>();
        silo.Services.AddHostedService<ClusterMembershipLog>();

        // Invalidation logs wake cut-off runs with a reminder more often than Orleans' one-minute floor allows by default.
        silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = InvalidationLogGrain.ResumePeriod);

        // Registered after Orleans' own, so it is the one resolved.
        silo.Services.AddSingleton<IFatalErrorHandler, SiloDeathHandler>();
        silo.Configure<GrainCollectionOptions>(options =>
            options.ClassSpecificCollectionAge[typeof(CachedObjectGrain).FullName!] = CachedObjectGrain.ActivationIdleAge);
        return silo;
    }

    /// <summary>
    /// Joins the cluster named by configuration: through Redis (<c>ConnectionStrings:Redis</c>), with durable
    /// records there, or, without it, a single local silo with records in memory.
    /// </summary>
    public static ISiloBuilder UseEdgeCluster(this ISiloBuilder silo, IConfiguration configuration)
    {
        var settings = EdgeClusterOptions.From(configuration);
        var redis = configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(redis))
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
            silo.AddMemoryGrainStorage(EdgeStorage.Name);
            silo.UseInMemoryReminderService();
        }
        else
        {
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = settings.ClusterId;
                options.ServiceId = settings.ServiceId;
            });
            silo.UseRedisClustering(options => options.ConfigurationOptions = ConfigurationOptions.Parse(redis));
            silo.ConfigureEndpoints(IPAddress.Parse(settings.AdvertisedAddress), settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: false);

            // Orleans' default detection (3 missed probes of 5 s, about 15 s) keeps calls to a dead silo's grains
            // failing that long; gateways answer those from the origin, but an edge wants the cluster whole
            // sooner. 2 s probes detect a dead silo in about 6 s, and keeping 3 misses tolerates a GC or CPU
            // stall on a loaded machine without declaring a live silo dead.
            silo.Configure<ClusterMembershipOptions>(options =>
            {
                options.ProbeTimeout = TimeSpan.FromSeconds(2);
                options.NumMissedProbesLimit = 3;
            });
            silo.AddRedisGrainStorage(EdgeStorage.Name, options => options.ConfigurationOptions = FailFast(redis));
            silo.UseRedisReminderService(options => options.ConfigurationOptions = FailFast(redis));
            silo.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(FailFast(redis)));
            silo.Services.AddSingleton<IInvalidationLogStore>(sp => new RedisInvalidationLogStore(sp.GetRequiredService<IConnectionMultiplexer>(), settings.ServiceId));
        }

        if (EdgeMeter.OtlpEndpoint(configuration) is not null)
        {
            // One trace from the API call through the fan-out across silos.
            silo.AddActivityPropagation();
        }

        return silo.AddEdgeGrains(settings.ObjectIdleLifetime, settings.CacheCapacityBytes);
    }

    /// <summary>
    /// Records are on request paths: an API call writes one. With Redis unreachable a command fails at once (the
    /// CloudFront API answers 503, which its clients retry; a purge retries within its timeout) rather than each
    /// request waiting out a 5 s backlog timeout.
    /// </summary>
    private static ConfigurationOptions FailFast(string redis)
    {
        var options = ConfigurationOptions.Parse(redis);
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.AbortOnConnectFail = false;

        // Failing fast makes reconnecting soon matter: a Redis back after a restart is found within half a second.
        options.ReconnectRetryPolicy = new LinearRetry(500);
        return options;
    }
}

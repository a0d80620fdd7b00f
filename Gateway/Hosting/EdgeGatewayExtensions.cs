using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Gateway.ControlPlane;
using OrleansEdge.Gateway.ControlPlane.CloudFront;
using OrleansEdge.Gateway.Console;
using OrleansEdge.Gateway.Demo;
using OrleansEdge.Gateway.Diagnostics;
using OrleansEdge.Gateway.Viewer;
using OrleansEdge.Grains.Interfaces.Caching;
using OrleansEdge.Grains.Interfaces.Diagnostics;
using OrleansEdge.Grains.Hosting;
using OrleansEdge.Grains.Interfaces.Origin;
using StackExchange.Redis;
using OrleansEdge.Gateway.Routing;
using OrleansEdge.Gateway.NearCache;

namespace OrleansEdge.Gateway.Hosting;

internal static class EdgeGatewayExtensions
{
    /// <summary>Registers the gateway: options, routes, the viewer path, the control plane and metrics.</summary>
    /// <param name="options">The configuration as read and validated at start: what is bound once (ports, the demo) comes from it.</param>
    public static WebApplicationBuilder AddEdgeGateway(this WebApplicationBuilder builder, EdgeOptions options)
    {
        // Orleans first: hosted services start in registration order and stop in reverse, so the embedded silo (or
        // the cluster client) is up before anything below calls a grain, and still up while those stop.
        var embedded = builder.UseEdgeOrleans();
        var services = builder.Services;
        services.AddOptions<EdgeOptions>().BindConfiguration(EdgeOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EdgeOptions>, EdgeOptionsValidator>();
        services.AddSingleton<RouteTableProvider>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<EdgeMetrics>();
        services.AddSingleton<OriginPassThrough>();
        services.AddSingleton<AccessLog>();
        services.AddSingleton<ConsoleSessions>();
        services.AddHostedService<ConsoleSettingsWatcher>();
        services.AddSingleton<ConsoleCharts>();
        services.AddHostedService(sp => sp.GetRequiredService<ConsoleCharts>());
        services.AddSingleton<InvalidationService>();
        services.AddSingleton<ObjectAccess>();
        if (embedded)
        {
            // One copy of each object in the process: hits read the silo's, which its invalidations keep current.
            services.AddSingleton<IViewerCopies>(sp => new SiloCopies(sp.GetRequiredService<IHeldCopies>()));
        }
        else
        {
            services.AddSingleton(sp => new NearCacheCopies(
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<EdgeOptions>>().Value.NearCache.CapacityBytes));
            services.AddSingleton<IViewerCopies>(sp => sp.GetRequiredService<NearCacheCopies>());
            services.AddSingleton<NearCacheLease>();
            services.AddHostedService(sp => sp.GetRequiredService<NearCacheLease>());
            services.AddHostedService(sp => sp.GetRequiredService<ObjectAccess>());
        }

        services.AddOriginHttpClient();
        if (options.Demo.Enabled)
        {
            services.AddHostedService<DemoOrigin>();
        }

        services.AddGatewayTelemetry(builder.Configuration);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // Origin header values with bytes outside ASCII (obs-text) reach viewers as the same bytes, never a 500;
            // viewers' own such bytes reach the origin the same way.
            kestrel.ResponseHeaderEncodingSelector = static _ => System.Text.Encoding.Latin1;
            kestrel.RequestHeaderEncodingSelector = static _ => System.Text.Encoding.Latin1;
            foreach (var endpoint in (ListenEndpoints.Parse(options.Listen.Viewer) ?? []).Concat(ListenEndpoints.Parse(options.Listen.Control) ?? []))
            {
                kestrel.Listen(endpoint.EndPoint, listen =>
                {
                    if (endpoint.Https)
                    {
                        // HTTP/2 is offered by ALPN over TLS; plain http stays HTTP/1.1, as browsers speak it.
                        listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2;
                        var certificate = kestrel.ApplicationServices.GetRequiredService<ServerCertificate>();
                        listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions
                        {
                            ServerCertificateSelector = (_, _) => certificate.Current,
                        });
                    }
                });
            }
        });
        services.AddSingleton(sp => new ServerCertificate(
            () => sp.GetRequiredService<RouteTableProvider>().Current.Options.Listen.Certificate,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ServerCertificate>>()));

        services.AddHostedService<StartupBanner>();
        return builder;
    }

    /// <summary>
    /// Embedded default: a silo in this process (returns true). With <c>ConnectionStrings:Redis</c>: a client of the
    /// Redis-clustered silos.
    /// </summary>
    private static bool UseEdgeOrleans(this WebApplicationBuilder builder)
    {
        var redis = builder.Configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(redis))
        {
            builder.UseOrleans(silo => silo.UseEdgeCluster(builder.Configuration));
            return true;
        }

        var cluster = EdgeClusterOptions.From(builder.Configuration);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = cluster.ClusterId;
                options.ServiceId = cluster.ServiceId;
            });
            client.UseRedisClustering(options => options.ConfigurationOptions = ConfigurationOptions.Parse(redis));
            if (EdgeMeter.OtlpEndpoint(builder.Configuration) is not null)
            {
                client.AddActivityPropagation();
            }

            // The default (one minute) leaves a restarted gateway knocking on a dead silo's port that long.
            client.Configure<GatewayOptions>(options => options.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        });
        return false;
    }

    public static WebApplication MapEdgeGateway(this WebApplication app)
    {
        var viewer = ListenEndpoints.Parse(app.Services.GetRequiredService<IOptions<EdgeOptions>>().Value.Listen.Viewer) ?? [];
        app.UseMiddleware<ViewerMiddleware>(new ViewerPorts([.. viewer.Select(static e => e.Port)], viewer.FirstOrDefault(static e => e.Https)?.Port));

        // Everything below answers only on the control port: the viewer middleware ends every viewer request.
        // Routing is placed here, not where WebApplication would put it (first in the pipeline), so a viewer's
        // request is not matched against the control API's routes before the viewer middleware takes it.
        app.UseRouting();
        app.MapHealthApi();
        app.MapPurgeApi();
        app.MapInvalidationApi();
        app.MapPrometheusScrapingEndpoint();
        app.MapConsole();
        return app;
    }
}

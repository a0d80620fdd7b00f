using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using OrleansEdge.Grains.Hosting;

namespace OrleansEdge.Silo;

/// <summary>One block at start that says what this silo is, which cluster it joined and where to reach it.</summary>
internal sealed partial class StartupBanner(
    IHostApplicationLifetime lifetime, ILocalSiloDetails silo, IServer server, IConfiguration configuration, ILogger<StartupBanner> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => LogBanner(logger, Describe()));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private string Describe()
    {
        var cluster = EdgeClusterOptions.From(configuration);

        // The addresses Kestrel really bound: Edge:Silo:Listen may name port 0.
        var http = server.Features.Get<IServerAddressesFeature>()?.Addresses is { Count: > 0 } addresses ? string.Join(", ", addresses) : "none";
        var text = new StringBuilder();
        text.Append("OrleansEdge silo ").AppendLine(EdgeBuild.Version);
        text.Append("  silo           ").AppendLine(silo.SiloAddress.ToString());
        text.Append("  clients        ").AppendLine(silo.GatewayAddress?.ToString() ?? "none");
        text.Append("  metrics        ").Append(http).AppendLine(" (/metrics, /healthz)");
        text.Append("  cluster        ").Append(cluster.ClusterId).Append(" (service ").Append(cluster.ServiceId).AppendLine(")");
        text.Append("  redis          ").AppendLine(EdgeBuild.DescribeRedis(configuration.GetConnectionString("Redis")));
        text.Append("  cache          ").Append(cluster.CacheCapacityBytes / (1024 * 1024)).Append(" MiB, idle objects leave after ").Append(cluster.ObjectIdleLifetime);
        return text.ToString();
    }

    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "{Banner}")]
    private static partial void LogBanner(ILogger logger, string banner);
}

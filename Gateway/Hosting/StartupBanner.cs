using System.Text;
using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Grains.Hosting;
using OrleansEdge.Gateway.Routing;

namespace OrleansEdge.Gateway.Hosting;

/// <summary>
/// One block at start that says what this process is and where to reach it: the libraries' own lines name
/// ports, not what they are for, and an operator reading a log wants the whole picture in one place.
/// </summary>
internal sealed partial class StartupBanner(
    IHostApplicationLifetime lifetime, RouteTableProvider routes, IConfiguration configuration, ILogger<StartupBanner> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => LogBanner(logger, Describe()));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private string Describe()
    {
        var options = routes.Options;
        var redis = configuration.GetConnectionString("Redis");
        var cluster = EdgeClusterOptions.From(configuration);
        var text = new StringBuilder();
        text.Append("OrleansEdge gateway ").Append(EdgeBuild.Version).AppendLine(string.IsNullOrWhiteSpace(redis)
            ? " (embedded: gateway and silo in one process)"
            : " (cluster mode: a client of the silos registered in Redis)");
        text.Append("  viewers        ").AppendLine(options.Listen.Viewer);
        text.Append("  control plane  ").Append(options.Listen.Control).AppendLine(" (purge, CloudFront API, /metrics, /healthz, /readyz)");
        text.Append("  cluster        ").Append(cluster.ClusterId).Append(" (service ").Append(cluster.ServiceId).Append(')');
        if (string.IsNullOrWhiteSpace(redis))
        {
            text.Append(", silo port ").Append(cluster.SiloPort);
        }

        text.AppendLine();
        text.Append("  redis          ").AppendLine(EdgeBuild.DescribeRedis(redis));
        if (options.Demo.Enabled)
        {
            text.Append("  demo origin    ").AppendLine(options.Demo.Url);
        }

        text.Append("  distributions  ").Append(options.Distributions.Count);
        foreach (var (id, distribution) in options.Distributions)
        {
            text.AppendLine().Append("    ").Append(id).Append(": ").Append(string.Join(", ", distribution.Domains))
                .Append(" -> ").Append(distribution.Origin);
            if (distribution.Tenants.Count > 0)
            {
                text.Append("; tenants ").Append(string.Join(", ", distribution.Tenants.Keys));
            }
        }

        return text.ToString();
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "{Banner}")]
    private static partial void LogBanner(ILogger logger, string banner);
}

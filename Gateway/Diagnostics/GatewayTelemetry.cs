using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansEdge.Grains.Interfaces.Diagnostics;

namespace OrleansEdge.Gateway.Diagnostics;

/// <summary>A gateway's OpenTelemetry: its metrics (and an embedded silo's) for Prometheus, traces when an OTLP endpoint is set.</summary>
internal static class GatewayTelemetry
{
    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("orleansedge-gateway", serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithMetrics(metrics => metrics
                // Instruments bring their own histogram boundaries (EdgeMetrics, GrainMetrics); no views here.
                .AddMeter(EdgeMeter.Name, "Microsoft.Orleans", "System.Runtime")

                // OpenTelemetry's semantic-convention HTTP metrics (http.server.request.duration, http.client.request.duration
                // and the connection gauges), so dashboards written for any .NET service work here too.
                .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http")
                .AddPrometheusExporter());

        if (EdgeMeter.OtlpEndpoint(configuration) is { } endpoint)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(EdgeMeter.Name, "Microsoft.AspNetCore", "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddOtlpExporter(options => options.Endpoint = new Uri(endpoint)));
        }

        return services;
    }
}

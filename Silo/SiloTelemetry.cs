using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansEdge.Grains.Interfaces.Diagnostics;

namespace OrleansEdge.Silo;

/// <summary>A silo's OpenTelemetry: its grains' and Orleans' metrics for Prometheus, traces when an OTLP endpoint is set.</summary>
internal static class SiloTelemetry
{
    public static IServiceCollection AddSiloTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("orleansedge-silo", serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithMetrics(metrics => metrics
                // GrainMetrics' instruments bring their own histogram boundaries; System.Net.Http is the origin client's.
                .AddMeter(EdgeMeter.Name, "Microsoft.Orleans", "System.Runtime", "System.Net.Http")
                .AddPrometheusExporter());

        if (EdgeMeter.OtlpEndpoint(configuration) is { } endpoint)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(EdgeMeter.Name, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddOtlpExporter(options => options.Endpoint = new Uri(endpoint)));
        }

        return services;
    }
}

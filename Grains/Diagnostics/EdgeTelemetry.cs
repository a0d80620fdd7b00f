using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OrleansEdge.Grains.Diagnostics;

/// <summary>OpenTelemetry for every OrleansEdge process: metrics for Prometheus, and traces when an OTLP endpoint is set.</summary>
public static class EdgeTelemetry
{
    /// <summary>Spans of the edge's own work (an invalidation and its fan-out); Orleans and ASP.NET Core add theirs.</summary>
    public static readonly ActivitySource Source = new(GrainMetrics.MeterName);

    /// <summary>Buckets from 1 ms to 30 s, dense enough that a P95 read from them is within a few percent.</summary>
    private static readonly double[] PropagationBuckets =
        [0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 20, 30];

    private static readonly double[] LatencyBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    /// <summary>The OTLP endpoint from <c>Edge:Telemetry:OtlpEndpoint</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; null: tracing off.</summary>
    public static string? OtlpEndpoint(IConfiguration configuration) =>
        configuration["Edge:Telemetry:OtlpEndpoint"] is { Length: > 0 } configured ? configured
        : configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } standard ? standard
        : null;

    public static IServiceCollection AddEdgeTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithMetrics(metrics => metrics
                .AddMeter(GrainMetrics.MeterName, "Microsoft.Orleans", "System.Runtime")

                // OpenTelemetry's semantic-convention HTTP metrics (http.server.request.duration, http.client.request.duration
                // and the connection gauges), so dashboards written for any .NET service work here too.
                .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http")
                .AddView(GrainMetrics.PropagationInstrument, new ExplicitBucketHistogramConfiguration { Boundaries = PropagationBuckets })
                .AddView("orleansedge.viewer.request.duration", new ExplicitBucketHistogramConfiguration { Boundaries = LatencyBuckets })
                .AddView("orleansedge.origin.fetch.duration", new ExplicitBucketHistogramConfiguration { Boundaries = LatencyBuckets })
                .AddPrometheusExporter());

        if (OtlpEndpoint(configuration) is { } endpoint)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(Source.Name, "Microsoft.AspNetCore", "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddOtlpExporter(options => options.Endpoint = new Uri(endpoint)));
        }

        return services;
    }
}

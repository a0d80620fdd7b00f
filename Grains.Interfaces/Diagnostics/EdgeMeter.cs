using Microsoft.Extensions.Configuration;

namespace OrleansEdge.Grains.Interfaces.Diagnostics;

/// <summary>
/// What every OrleansEdge process reports under: one meter and one activity source, both named "OrleansEdge". The
/// instruments themselves belong to the metrics class of the host that records them (<c>GrainMetrics</c> in a silo,
/// <c>EdgeMetrics</c> in a gateway), each with its names, units and histogram boundaries.
/// </summary>
public static class EdgeMeter
{
    public const string Name = "OrleansEdge";

    /// <summary>The OTLP endpoint from <c>Edge:Telemetry:OtlpEndpoint</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>; null: tracing off.</summary>
    public static string? OtlpEndpoint(IConfiguration configuration) =>
        configuration["Edge:Telemetry:OtlpEndpoint"] is { Length: > 0 } configured ? configured
        : configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } standard ? standard
        : null;
}

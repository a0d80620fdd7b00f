namespace OrleansEdge.Gateway.ControlPlane;

/// <summary>The body of <c>POST /purge/{DistributionId}[/{TenantId}]</c>.</summary>
internal sealed record PurgeRequest(string[]? Tags, string[]? Paths, bool Soft);

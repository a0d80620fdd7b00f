namespace OrleansEdge.Gateway.Routing;

/// <summary>Where a viewer host leads: a distribution, a tenant ("" for none) and their key prefix.</summary>
internal sealed record ViewerRoute(Distribution Distribution, string Tenant, string Scope);

namespace OrleansEdge.Gateway.ControlPlane;

internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder endpoints)
    {
        // Liveness: the process answers.
        endpoints.MapGet("/healthz", () => Results.Text("ok\n"));

        // Readiness: the cluster answers a grain call, so lookups and invalidations can run.
        endpoints.MapGet("/readyz", async (IGrainFactory grains, CancellationToken cancellationToken) =>
        {
            try
            {
                var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)
                    .WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                return Results.Text($"ready: {hosts.Count} silo(s)\n");
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return Results.Text($"not ready: {exception.GetType().Name}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        return endpoints;
    }
}

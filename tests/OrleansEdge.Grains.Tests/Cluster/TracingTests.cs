using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Interfaces.Diagnostics;

namespace OrleansEdge.Grains.Tests.Cluster;

[Collection(EdgeCluster.Name)]
public sealed class TracingTests(EdgeClusterFixture edge)
{
    [Fact]
    public async Task Invalidation_OneTraceFromCallerThroughFanOutAcrossSilos()
    {
        var distribution = EdgeClusterFixture.NewDistribution();
        var tag = $"trace-{Guid.NewGuid():N}";
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => edge.GetAsync(distribution, $"/traced/{i}?tags={tag}")));

        var spans = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is EdgeMeter.Name or "OrleansEdge.Tests" || source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal),
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(listener);

        using var caller = new ActivitySource("OrleansEdge.Tests");
        ActivityTraceId traceId;
        using (var root = caller.StartActivity("purge request"))
        {
            traceId = root!.TraceId;
            await edge.InvalidateAsync(distribution, soft: false, $"#{tag}");
        }

        var ours = spans.Where(s => s.TraceId == traceId).ToList();
        Assert.Contains(ours, s => s.OperationName == "invalidation");
        Assert.Contains(ours, s => s.OperationName == "invalidate tag" && (int)s.GetTagItem("orleansedge.members")! == 30);

        // The fan-out's calls to object grains on other silos belong to the same trace.
        Assert.True(ours.Count(s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)) >= 30);
    }
}

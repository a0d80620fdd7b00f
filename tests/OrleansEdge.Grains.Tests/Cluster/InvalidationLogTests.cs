using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Grains.Tests.Cluster;

[Collection(EdgeCluster.Name)]
public sealed class InvalidationLogTests(EdgeClusterFixture edge)
{
    private readonly string _distribution = EdgeClusterFixture.NewDistribution();

    [Fact]
    public async Task SameCallerReferenceSameBatch_ReturnsExistingInvalidation()
    {
        var first = await edge.CreateAsync(_distribution, false, EdgeClusterFixture.TagHeader, ["/a", "#b"], "ref-1");
        var again = await edge.CreateAsync(_distribution, false, EdgeClusterFixture.TagHeader, ["#b", "/a"], "ref-1");
        Assert.True(again.Repeated);
        Assert.Equal(first.Record!.Id, again.Record!.Id);
        var page = await edge.Grains.GetGrain<IInvalidationLogGrain>(_distribution).ListAsync("", null, 100);
        Assert.Single(page.Items);
    }

    [Fact]
    public async Task SameCallerReferenceOtherBatch_BatchAlreadyExists()
    {
        await edge.CreateAsync(_distribution, false, EdgeClusterFixture.TagHeader, ["/a"], "ref-2");
        var conflict = await edge.CreateAsync(_distribution, false, EdgeClusterFixture.TagHeader, ["/b"], "ref-2");
        Assert.Null(conflict.Record);
        Assert.Equal(InvalidationRejection.BatchAlreadyExists, conflict.Rejection);
    }

    [Fact]
    public async Task BatchOverInProgressLimit_Rejected()
    {
        var limits = new InvalidationLimits { MaxPathsInProgress = 2, MaxWildcardsInProgress = 1 };
        var paths = await edge.CreateAsync(_distribution, false, null, ["/a", "/b", "/c"], limits: limits);
        Assert.Equal(InvalidationRejection.TooManyInProgress, paths.Rejection);
        var wildcards = await edge.CreateAsync(_distribution, false, null, ["/a*", "/b*"], limits: limits);
        Assert.Equal(InvalidationRejection.TooManyInProgress, wildcards.Rejection);
    }

    [Fact]
    public async Task List_NewestFirst_PagedByMarker()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var record = await edge.InvalidateAsync(_distribution, false, EdgeClusterFixture.TagHeader, [$"/p{i}"]);
            ids.Add(record!.Id);
        }

        ids.Reverse();
        var log = edge.Grains.GetGrain<IInvalidationLogGrain>(_distribution);
        var first = await log.ListAsync("", null, 2);
        Assert.Equal(ids[..2], first.Items.Select(i => i.Id));
        Assert.True(first.IsTruncated);
        Assert.Equal(ids[1], first.NextMarker);
        var second = await log.ListAsync("", first.NextMarker, 2);
        Assert.Equal(ids[2..4], second.Items.Select(i => i.Id));
        var last = await log.ListAsync("", second.NextMarker, 2);
        Assert.Equal(ids[4..], last.Items.Select(i => i.Id));
        Assert.False(last.IsTruncated);
        Assert.Null(last.NextMarker);
        Assert.All(first.Items, i => Assert.Equal(InvalidationStatus.Completed, i.Status));
    }

    [Fact]
    public async Task Record_CarriesPropagationTime()
    {
        var record = await edge.InvalidateAsync(_distribution, false, "/timed");
        Assert.Equal(InvalidationStatus.Completed, record.Status);
        Assert.NotNull(record.PropagationTime);
        Assert.True(record.PropagationTime >= TimeSpan.Zero);
        Assert.Matches("^I[A-Z0-9]{13}$", record.Id);
    }
}

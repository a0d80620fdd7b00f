using Orleans.Runtime;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Tests.Shared;

namespace OrleansEdge.Grains.Tests.Cluster;

[Collection(EdgeCluster.Name)]
public sealed class ObjectLookupTests(EdgeClusterFixture edge)
{
    private readonly string _distribution = EdgeClusterFixture.NewDistribution();

    [Fact]
    public async Task FirstLookup_Miss_SecondHit_OneOriginRequest()
    {
        var target = $"/page/{Guid.NewGuid():N}";
        Assert.Equal(LookupOutcome.Miss, (await edge.GetAsync(_distribution, target)).Outcome);
        var hit = await edge.GetAsync(_distribution, target);
        Assert.Equal(LookupOutcome.Hit, hit.Outcome);
        Assert.Equal(200, hit.Response!.Status);
        Assert.Equal(1, edge.Origin.Requests(target));
    }

    [Fact]
    public async Task FetchSettled_ActivationEnds_CopyStaysInItsHomeSilosStore_NextLookupAHit()
    {
        var target = $"/settled/{Guid.NewGuid():N}?tags=settled";
        var key = EdgeKeys.Object(_distribution, "", target);
        Assert.Equal(LookupOutcome.Miss, (await edge.GetAsync(_distribution, target)).Outcome);

        // The object holds nothing once its fetch has settled: its activation goes, its copy stays with its silo.
        var active = true;
        for (var i = 0; i < 100 && active; i++)
        {
            var statistics = await edge.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
            active = statistics.Any(s => s.GrainType.Contains("CachedObjectGrain", StringComparison.Ordinal) && s.GrainId.Key.ToString() == key);
            await Task.Delay(active ? 50 : 0);
        }

        Assert.False(active);
        var home = EdgeClusterFixture.HolderOf(edge.Cluster, key);
        Assert.NotNull(home);

        // Asked again, a new activation lands on the same silo and finds the copy there.
        Assert.Equal(LookupOutcome.Hit, (await edge.GetAsync(_distribution, target)).Outcome);
        Assert.Equal(1, edge.Origin.Requests(target));
        Assert.Equal(home, EdgeClusterFixture.HolderOf(edge.Cluster, key));
    }

    [Fact]
    public async Task ConcurrentMisses_FiftyViewers_OneOriginRequest()
    {
        var target = $"/collapse/{Guid.NewGuid():N}?delay=500";
        var lookups = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => edge.GetAsync(_distribution, target)));
        Assert.Equal(1, edge.Origin.Requests(target));
        Assert.Single(lookups, l => l.Outcome == LookupOutcome.Miss);
        Assert.Equal(49, lookups.Count(l => l.Outcome == LookupOutcome.Hit));
        Assert.All(lookups, l => Assert.Equal(200, l.Response!.Status));
    }

    [Theory]
    [InlineData("cc=no-store")]
    [InlineData("cc=private,max-age%3D60")]
    [InlineData("cookie=1")]
    public async Task PrivateResponse_ServedOnce_NeverSharedOrStored(string query)
    {
        var target = $"/private/{Guid.NewGuid():N}?{query}";
        var first = await edge.GetAsync(_distribution, target);
        Assert.Equal(LookupOutcome.Miss, first.Outcome);
        Assert.Equal(LookupOutcome.Pass, (await edge.GetAsync(_distribution, target)).Outcome);
    }

    [Fact]
    public async Task BodyOverLimit_PassesThrough()
    {
        var target = $"/large/{Guid.NewGuid():N}?size=5000";
        var lookup = await edge.GetAsync(_distribution, target, edge.Profile() with { MaxBodyBytes = 1000 });
        Assert.Equal(LookupOutcome.Pass, lookup.Outcome);
    }

    [Fact]
    public async Task ChunkedBodyOverLimit_PassesThrough()
    {
        var target = $"/large/{Guid.NewGuid():N}?size=50000&chunked=1";
        var lookup = await edge.GetAsync(_distribution, target, edge.Profile() with { MaxBodyBytes = 1000 });
        Assert.Equal(LookupOutcome.Pass, lookup.Outcome);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BodyOverLimit_RelayedToTheViewerThatAsked_FromTheOneOriginRequest(bool chunked)
    {
        var target = $"/large/{Guid.NewGuid():N}?seq=1&size=300000" + (chunked ? "&chunked=1" : "");
        var grain = edge.Object(_distribution, target);
        var lookup = await grain.LookupAsync(edge.Profile() with { MaxBodyBytes = 1000 }, TimeSpan.FromMinutes(2), TimeProvider.System, relay: true);

        Assert.Equal(LookupOutcome.Pass, lookup.Outcome);
        var relayed = Assert.IsType<RelayedResponse>(lookup.Relayed);
        Assert.Equal(200, relayed.Status);
        Assert.Equal(chunked ? null : 300_000, relayed.ContentLength);
        using var body = new MemoryStream();
        await foreach (var chunk in grain.RelayAsync(relayed.Relay))
        {
            body.Write(chunk);
        }

        Assert.Equal(TestOrigin.Sequence(300_000), System.Text.Encoding.UTF8.GetString(body.ToArray()));
        Assert.Equal(1, edge.Origin.Requests(target));

        // Once: a second claim finds nothing, before anything is sent.
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in grain.RelayAsync(relayed.Relay))
            {
            }
        });
    }

    [Fact]
    public async Task BodyOverLimit_OriginCutOffMidBody_TheRelayEndsInAnError_NeverAsAShortWholeBody()
    {
        await using var origin = RawOrigin.StartCutOff(System.Text.Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\n"),
            declaredLength: 500_000, body: new byte[200_000]);
        var target = $"/cut-off/{Guid.NewGuid():N}";
        var grain = edge.Object(_distribution, target);
        var lookup = await grain.LookupAsync(edge.Profile() with { BaseUrl = origin.BaseUrl, MaxBodyBytes = 1000 }, TimeSpan.FromMinutes(2), TimeProvider.System, relay: true);
        var relayed = Assert.IsType<RelayedResponse>(lookup.Relayed);
        Assert.Equal(500_000, relayed.ContentLength);

        var received = 0;
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var chunk in grain.RelayAsync(relayed.Relay))
            {
                received += chunk.Length;
            }
        });
        Assert.InRange(received, 0, 200_000);
        Assert.Equal(1, origin.Requests);
    }

    [Fact]
    public async Task BodyOverLimit_ViewerThatCannotTakeARelay_Passes_NothingHeld()
    {
        var target = $"/large/{Guid.NewGuid():N}?size=5000";
        var lookup = await edge.GetAsync(_distribution, target, edge.Profile() with { MaxBodyBytes = 1000 });
        Assert.Equal(LookupOutcome.Pass, lookup.Outcome);
        Assert.Null(lookup.Relayed);
    }

    [Fact]
    public async Task OriginDown_BadGateway()
    {
        var dead = edge.Profile() with { BaseUrl = $"http://127.0.0.1:{FreePort.Next()}" };
        var lookup = await edge.GetAsync(_distribution, $"/down/{Guid.NewGuid():N}", dead);
        Assert.Equal(LookupOutcome.Error, lookup.Outcome);
        Assert.Equal(502, lookup.ErrorStatus);
        Assert.Null(lookup.Response);
    }

    [Fact]
    public async Task OriginSlow_GatewayTimeout()
    {
        var impatient = edge.Profile() with { ResponseTimeout = TimeSpan.FromMilliseconds(200) };
        var lookup = await edge.GetAsync(_distribution, $"/slow/{Guid.NewGuid():N}?delay=5000", impatient);
        Assert.Equal(LookupOutcome.Error, lookup.Outcome);
        Assert.Equal(504, lookup.ErrorStatus);
    }

    [Fact]
    public async Task OriginServerError_PassedOnNotStored()
    {
        var target = $"/broken/{Guid.NewGuid():N}?status=503";
        var lookup = await edge.GetAsync(_distribution, target);
        Assert.Equal(LookupOutcome.Error, lookup.Outcome);
        Assert.Equal(503, lookup.Response!.Status);
        await edge.GetAsync(_distribution, target);
        Assert.Equal(2, edge.Origin.Requests(target));
    }

    [Fact]
    public async Task StaleIfError_StaleCopyStandsInForFailedOrigin()
    {
        var target = $"/sie/{Guid.NewGuid():N}?cc=max-age%3D0,stale-if-error%3D600";
        Assert.Equal(LookupOutcome.Miss, (await edge.GetAsync(_distribution, target)).Outcome);
        var dead = edge.Profile() with { BaseUrl = $"http://127.0.0.1:{FreePort.Next()}" };
        var lookup = await edge.GetAsync(_distribution, target, dead);
        Assert.Equal(LookupOutcome.Error, lookup.Outcome);
        Assert.Equal(200, lookup.Response!.Status);
    }

    [Fact]
    public async Task ExpiredCopyWithETag_RevalidatedAsRefreshHit()
    {
        var target = $"/etag/{Guid.NewGuid():N}?cc=max-age%3D0&etag=v1";
        Assert.Equal(LookupOutcome.Miss, (await edge.GetAsync(_distribution, target)).Outcome);
        var refreshed = await edge.GetAsync(_distribution, target);
        Assert.Equal(LookupOutcome.RefreshHit, refreshed.Outcome);
        Assert.Equal(2, edge.Origin.Requests(target));
    }
}

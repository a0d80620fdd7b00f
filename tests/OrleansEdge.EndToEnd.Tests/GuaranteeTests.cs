using System.Net;

namespace OrleansEdge.EndToEnd.Tests;

/// <summary>SPEC §5 on one gateway: no response to a request that arrives after Completed was fetched before the invalidation.</summary>
[Collection(GatewayCollection.Name)]
public sealed class GuaranteeTests(GatewayFixture edge)
{
    [Fact]
    public async Task ViewerArrivingAfterCompleted_DoesNotGetTheFetchThatBeganBeforeTheInvalidation()
    {
        // A tag invalidation cannot reach an object whose response (and so whose tags) has not arrived yet.
        var tag = $"joiner-{Guid.NewGuid():N}";
        var target = $"/joiner/{Guid.NewGuid():N}?tags={tag}&delay=1500";
        var first = edge.GetAsync(target, "slow.test");
        await edge.Origin.Arrived(target).WaitAsync(TimeSpan.FromSeconds(10));

        using (var purge = await edge.PurgeAsync($$"""{"tags":["{{tag}}"]}""", "E6SLOW"))
        {
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        }

        // Asked after Completed, while the old fetch is still on its way.
        using var late = await edge.GetAsync(target, "slow.test");
        using var early = await first;
        Assert.EndsWith("#1", await early.Content.ReadAsStringAsync());
        Assert.EndsWith("#2", await late.Content.ReadAsStringAsync());

        // And what is kept is the newer response.
        using var after = await edge.GetAsync(target, "slow.test");
        Assert.StartsWith("Hit", after.Headers.GetValues("X-Cache").Single());
        Assert.EndsWith("#2", await after.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OriginSlowerThanOrleansCallTimeout_FiveViewers_OneOriginRequest()
    {
        // 33 s: past Orleans' 30 s grain-call timeout, within the distribution's OriginTimeout of one minute.
        var target = $"/slow-origin/{Guid.NewGuid():N}?delay=33000";
        var viewers = Enumerable.Range(0, 5).Select(_ => edge.GetAsync(target, "slow.test")).ToArray();
        foreach (var viewer in viewers)
        {
            using var response = await viewer;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(1, edge.Origin.Requests(target));
    }
}

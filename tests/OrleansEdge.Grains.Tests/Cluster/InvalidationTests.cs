using Orleans.Runtime;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Tests.Cluster;

[Collection(EdgeCluster.Name)]
public sealed class InvalidationTests(EdgeClusterFixture edge)
{
    private readonly string _distribution = EdgeClusterFixture.NewDistribution();

    private string Tagged(string path, params string[] tags) => $"{path}?tags={Uri.EscapeDataString(string.Join(",", tags))}";

    private async Task WarmAsync(params string[] targets)
    {
        foreach (var target in targets)
        {
            await edge.GetAsync(_distribution, target);
            Assert.Equal(LookupOutcome.Hit, (await edge.GetAsync(_distribution, target)).Outcome);
        }
    }

    private async Task<LookupOutcome> OutcomeAsync(string target) => (await edge.GetAsync(_distribution, target)).Outcome;

    [Fact]
    public async Task InvalidateTag_ObjectsOnEverySilo_AllBecomeMisses()
    {
        var tag = $"product:{Guid.NewGuid():N}";
        var targets = Enumerable.Range(0, 90).Select(i => Tagged($"/spread/{i}", tag)).ToArray();
        await Task.WhenAll(targets.Select(t => edge.GetAsync(_distribution, t)));

        // The members really live on all three silos, so the fan-out crosses silos.
        var silos = targets.Select(t => EdgeClusterFixture.HolderOf(edge.Cluster, EdgeKeys.Object(_distribution, "", t))).Distinct().ToList();
        Assert.DoesNotContain(null, silos);
        Assert.Equal(3, silos.Count);

        var record = await edge.InvalidateAsync(_distribution, soft: false, $"#{tag}");
        Assert.Equal(InvalidationStatus.Completed, record.Status);
        Assert.Equal(90, record.ObjectsInvalidated);
        foreach (var target in targets)
        {
            Assert.Equal(LookupOutcome.Miss, await OutcomeAsync(target));
        }
    }

    [Fact]
    public async Task InvalidateTag_MoreMembersPerSiloThanOneBatch_EveryOneReached()
    {
        // About 1,300 members on each of three silos: more than one batch of the per-silo fan-out each.
        var tag = $"many:{Guid.NewGuid():N}";
        var targets = Enumerable.Range(0, 4000).Select(i => Tagged($"/many/{i}", tag)).ToArray();

        // A hundred fetches at a time: 500 at once, beside the other test assemblies on two cores, queued single calls
        // past the lookup's 5 s stall limit (the warm-up is not what is under test).
        foreach (var chunk in targets.Chunk(100))
        {
            await Task.WhenAll(chunk.Select(t => edge.GetAsync(_distribution, t)));
        }

        var record = await edge.InvalidateAsync(_distribution, soft: false, $"#{tag}");
        Assert.Equal(4000, record.ObjectsInvalidated);
        foreach (var target in targets.Where((_, i) => i % 97 == 0))
        {
            Assert.Equal(LookupOutcome.Miss, await OutcomeAsync(target));
        }
    }

    [Fact]
    public async Task InvalidateTag_OnlyMembersInvalidated_UntaggedStayHits()
    {
        var tag = $"product:{Guid.NewGuid():N}";
        var member = Tagged("/member", tag, "category:x");
        var other = Tagged("/other", "category:x");
        var untagged = $"/untagged/{Guid.NewGuid():N}";
        await WarmAsync(member, other, untagged);

        await edge.InvalidateAsync(_distribution, soft: false, $"#{tag}");

        Assert.Equal(LookupOutcome.Miss, await OutcomeAsync(member));
        Assert.Equal(LookupOutcome.Hit, await OutcomeAsync(other));
        Assert.Equal(LookupOutcome.Hit, await OutcomeAsync(untagged));
    }

    [Fact]
    public async Task InvalidateTag_CaseDiffersFromOrigin_StillMatches()
    {
        var id = Guid.NewGuid().ToString("N");
        var target = Tagged("/case", $"Product:{id.ToUpperInvariant()}");
        await WarmAsync(target);
        await edge.InvalidateAsync(_distribution, soft: false, $"#PRODUCT:{id}");
        Assert.Equal(LookupOutcome.Miss, await OutcomeAsync(target));
    }

    [Fact]
    public async Task InvalidateTag_FiftyFirstTag_DoesNotReachObject()
    {
        var prefix = Guid.NewGuid().ToString("N")[..8];
        var tags = Enumerable.Range(1, 51).Select(i => $"{prefix}-{i}").ToArray();
        var target = Tagged("/fifty", tags);
        await WarmAsync(target);

        await edge.InvalidateAsync(_distribution, soft: false, $"#{tags[50]}");
        Assert.Equal(LookupOutcome.Hit, await OutcomeAsync(target));
        await edge.InvalidateAsync(_distribution, soft: false, $"#{tags[49]}");
        Assert.Equal(LookupOutcome.Miss, await OutcomeAsync(target));
    }

    [Fact]
    public async Task InvalidTagInHeader_IgnoredAndValidTagsStillWork()
    {
        var tag = $"ok-{Guid.NewGuid():N}";
        var target = Tagged("/invalid-tag", new string('x', 257), tag);
        await WarmAsync(target);
        await edge.InvalidateAsync(_distribution, soft: false, $"#{tag}");
        Assert.Equal(LookupOutcome.Miss, await OutcomeAsync(target));
    }

    [Fact]
    public async Task InvalidatePath_ExactKeyOnly_QueryVariantsKept()
    {
        var path = $"/exact/{Guid.NewGuid():N}";
        await WarmAsync(path, path + "?v=1");
        var record = await edge.InvalidateAsync(_distribution, soft: false, path);
        Assert.Equal(1, record.ObjectsInvalidated);
        Assert.Equal(LookupOutcome.Miss, await OutcomeAsync(path));
        Assert.Equal(LookupOutcome.Hit, await OutcomeAsync(path + "?v=1"));
    }

    [Fact]
    public async Task InvalidatePathWithQuery_OnlyThatVariant()
    {
        var path = $"/variant/{Guid.NewGuid():N}";
        await WarmAsync(path + "?v=1", path + "?v=2");
        await edge.InvalidateAsync(_distribution, soft: false, path + "?v=1");
        Assert.Equal(LookupOutcome.Miss, await OutcomeAsync(path + "?v=1"));
        Assert.Equal(LookupOutcome.Hit, await OutcomeAsync(path + "?v=2"));
    }

    [Fact]
    public async Task InvalidatePrefix_EveryKeyUnderIt_QueryStringsIncluded()
    {
        var folder = $"/img-{Guid.NewGuid():N}";
        var inside = new[] { $"{folder}/a.jpg", $"{folder}/a.jpg?w=100", $"{folder}/deep/b.png" };
        var outside = $"{folder}-other/c.jpg";
        await WarmAsync([.. inside, outside]);

        var record = await edge.InvalidateAsync(_distribution, soft: false, $"{folder}/*");
        Assert.Equal(3, record.ObjectsInvalidated);
        foreach (var target in inside)
        {
            Assert.Equal(LookupOutcome.Miss, await OutcomeAsync(target));
        }

        Assert.Equal(LookupOutcome.Hit, await OutcomeAsync(outside));
    }

    [Fact]
    public async Task InvalidateEverything_SlashStar_LeavesNothing()
    {
        var targets = Enumerable.Range(0, 20).Select(i => $"/all/{i}?q={i}").ToArray();
        await WarmAsync(targets);
        var record = await edge.InvalidateAsync(_distribution, soft: false, "/*");
        Assert.Equal(20, record.ObjectsInvalidated);
        Assert.All(await Task.WhenAll(targets.Select(OutcomeAsync)), o => Assert.Equal(LookupOutcome.Miss, o));
    }

    [Fact]
    public async Task MixedBatch_EachItemItsOwnOperation()
    {
        var tag = $"mix-{Guid.NewGuid():N}";
        var byTag = Tagged("/mix/tagged", tag);
        var byPath = $"/mix/path/{Guid.NewGuid():N}";
        var byPrefix = $"/mix/prefix-{Guid.NewGuid():N}/x";
        await WarmAsync(byTag, byPath, byPrefix);
        var record = await edge.InvalidateAsync(_distribution, soft: false, $"#{tag}", byPath, byPrefix[..^1] + "*");
        Assert.Equal(3, record.ObjectsInvalidated);
    }

    [Fact]
    public async Task InvalidateTag_DuringOriginFetch_ResponseNotStoredFresh()
    {
        var tag = $"inflight-{Guid.NewGuid():N}";
        var target = Tagged($"/inflight/tag/{Guid.NewGuid():N}", tag) + "&delay=1500";
        var lookup = edge.GetAsync(_distribution, target);
        await edge.Origin.Arrived(target);

        // The tag grain has never heard of this object: the response has not come back yet.
        await edge.InvalidateAsync(_distribution, soft: false, $"#{tag}");

        var served = await lookup;
        Assert.Equal(LookupOutcome.Miss, served.Outcome);

        // Served to its viewer, but no gateway may keep it as a fresh copy.
        Assert.False(served.Response!.IsFresh(DateTimeOffset.UtcNow));
        Assert.Equal(LookupOutcome.Miss, await OutcomeAsync(target));
        Assert.Equal(2, edge.Origin.Requests(target));
    }

    [Fact]
    public async Task InvalidatePath_DuringOriginFetch_LaterViewersGetNewFetch()
    {
        var path = $"/inflight/path/{Guid.NewGuid():N}";
        var target = path + "?delay=1500";
        var first = edge.GetAsync(_distribution, target);
        await edge.Origin.Arrived(target);

        var record = await edge.InvalidateAsync(_distribution, soft: false, target);
        Assert.Equal(1, record.ObjectsInvalidated);

        // Once Completed, nobody may be served the old fetch: this lookup is answered by the origin's second response.
        var second = await edge.GetAsync(_distribution, target);
        Assert.EndsWith("#2", System.Text.Encoding.UTF8.GetString(second.Response!.Body));
        Assert.Equal(LookupOutcome.Miss, (await first).Outcome);
        Assert.Equal(2, edge.Origin.Requests(target));
        Assert.Equal(LookupOutcome.Hit, await OutcomeAsync(target));
    }

    [Fact]
    public async Task InvalidatePath_DuringFetchSlowerThanPoll_InitiatorStillGetsItsFetch()
    {
        // Slower than the poll interval: the viewer is told "pending" and asks again by ticket, after the invalidation
        // detached its fetch. It is answered by that fetch (its request predates the invalidation), not by a new one.
        var target = $"/inflight/slow/{Guid.NewGuid():N}?delay=3000";
        var first = edge.GetAsync(_distribution, target);
        await edge.Origin.Arrived(target);
        Assert.Equal(1, (await edge.InvalidateAsync(_distribution, soft: false, target)).ObjectsInvalidated);

        var served = await first;
        Assert.Equal(LookupOutcome.Miss, served.Outcome);
        Assert.EndsWith("#1", System.Text.Encoding.UTF8.GetString(served.Response!.Body));
        Assert.False(served.Response.IsFresh(DateTimeOffset.UtcNow));
        Assert.Equal(1, edge.Origin.Requests(target));

        var next = await edge.GetAsync(_distribution, target);
        Assert.Equal(LookupOutcome.Miss, next.Outcome);
        Assert.EndsWith("#2", System.Text.Encoding.UTF8.GetString(next.Response!.Body));
    }

    [Fact]
    public async Task InvalidatePrefix_DuringOriginFetch_ResponseNotStoredFresh()
    {
        var folder = $"/inflight/prefix-{Guid.NewGuid():N}";
        var target = folder + "/a?delay=1500";
        var first = edge.GetAsync(_distribution, target);
        await edge.Origin.Arrived(target);
        await edge.InvalidateAsync(_distribution, soft: false, folder + "/*");
        Assert.Equal(LookupOutcome.Miss, (await first).Outcome);
        Assert.Equal(LookupOutcome.Miss, await OutcomeAsync(target));
    }

    [Fact]
    public async Task SoftInvalidation_NextLookupRevalidates_RefreshHit()
    {
        var tag = $"soft-{Guid.NewGuid():N}";
        var target = Tagged("/soft", tag) + "&etag=v7";
        await WarmAsync(target);
        var record = await edge.InvalidateAsync(_distribution, soft: true, $"#{tag}");
        Assert.Equal(1, record.ObjectsInvalidated);
        Assert.Equal(LookupOutcome.RefreshHit, await OutcomeAsync(target));
        Assert.Equal(LookupOutcome.Hit, await OutcomeAsync(target));

        // Still a member after the soft purge and the refresh: a hard purge of the tag reaches it.
        await edge.InvalidateAsync(_distribution, soft: false, $"#{tag}");
        Assert.Equal(LookupOutcome.Miss, await OutcomeAsync(target));
    }

    [Fact]
    public async Task TagHeaderChanged_ObjectsTaggedUnderOldHeaderNotReached()
    {
        var tag = $"moved-{Guid.NewGuid():N}";
        var target = Tagged("/old-header", tag);
        await WarmAsync(target);
        await edge.InvalidateAsync(_distribution, soft: false, "x-new-tag-header", [$"#{tag}"]);
        Assert.Equal(LookupOutcome.Hit, await OutcomeAsync(target));
    }

    [Fact]
    public async Task InvalidationAfterFetch_DoesNotTouchNewerCopy()
    {
        var tag = $"newer-{Guid.NewGuid():N}";
        var target = Tagged("/newer", tag);
        await edge.InvalidateAsync(_distribution, soft: false, $"#{tag}");
        await WarmAsync(target);
        Assert.Equal(LookupOutcome.Hit, await OutcomeAsync(target));
    }

    [Fact]
    public async Task TagAndIndex_IdleLongerThanCollectionAge_StillReachTheirObjects()
    {
        var tag = $"idle-{Guid.NewGuid():N}";
        var folder = $"/idle-{Guid.NewGuid():N}";
        var byTag = Tagged(folder + "/tagged", tag);
        var byPrefix = folder + "/plain";
        await WarmAsync(byTag, byPrefix);

        // Only the objects are touched meanwhile, as hits on long-lived copies touch them and nothing else.
        var until = DateTime.UtcNow + 3 * EdgeClusterFixture.IdleCollectionAge;
        while (DateTime.UtcNow < until)
        {
            Assert.Equal(LookupOutcome.Hit, await OutcomeAsync(byTag));
            Assert.Equal(LookupOutcome.Hit, await OutcomeAsync(byPrefix));
            await Task.Delay(500);
        }

        Assert.Equal(1, (await edge.InvalidateAsync(_distribution, soft: false, $"#{tag}")).ObjectsInvalidated);
        Assert.Equal(1, (await edge.InvalidateAsync(_distribution, soft: false, folder + "/plain*")).ObjectsInvalidated);
    }

    [Fact]
    public async Task InvalidateTag_FetchOutlastsCollectionAge_StillNotStoredFresh()
    {
        var tag = $"long-{Guid.NewGuid():N}";
        var target = Tagged($"/inflight/long/{Guid.NewGuid():N}", tag) + "&delay=" + (int)(3 * EdgeClusterFixture.IdleCollectionAge).TotalMilliseconds;
        var lookup = edge.GetAsync(_distribution, target);
        await edge.Origin.Arrived(target);

        // The tag has no members yet: only its memory of this invalidation protects the late join.
        await edge.InvalidateAsync(_distribution, soft: false, $"#{tag}");
        Assert.Equal(LookupOutcome.Miss, (await lookup).Outcome);
        Assert.Equal(LookupOutcome.Miss, await OutcomeAsync(target));
    }
}

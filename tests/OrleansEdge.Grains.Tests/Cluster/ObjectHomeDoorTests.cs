using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Runtime.GrainDirectory;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Tests.Cluster;

/// <summary>
/// A cluster gateway's lookup through the door of the object's home silo (<see cref="IObjectHomeService"/>): the client
/// ranks the silos as the silos do, so the object is fetched and stored where a call to its grain would have put it.
/// </summary>
[Collection(EdgeCluster.Name)]
public sealed class ObjectHomeDoorTests(EdgeClusterFixture edge)
{
    private readonly string _distribution = EdgeClusterFixture.NewDistribution();

    [Fact]
    public async Task ThroughTheHomesDoor_TheCopyIsStoredAtTheHomeTheSilosCompute_AndServedFromThereAfter()
    {
        var silos = await edge.Grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
        Assert.Equal(3, silos.Length);
        var homes = new HashSet<SiloAddress>();
        for (var i = 0; i < 12; i++)
        {
            var target = $"/door/{i}/{Guid.NewGuid():N}";
            var key = EdgeKeys.Object(_distribution, "", target);
            var home = silos[ObjectHomes.Pick(edge.Object(_distribution, target).GetGrainId().GetUniformHashCode(), silos.AsSpan(), static s => s.SiloAddress)];
            homes.Add(home.SiloAddress);

            var miss = await LookupAsync(ObjectHomes.Door(edge.Grains, home), key);
            Assert.Equal(LookupOutcome.Miss, miss.Outcome);
            Assert.Equal(home.SiloAddress, EdgeClusterFixture.HolderOf(edge.Cluster, key));

            // Through the door, through another silo's door (the gateway's view of the membership lagging), and by a
            // call to the grain: one copy, at the home, one origin request.
            Assert.Equal(LookupOutcome.Hit, (await LookupAsync(ObjectHomes.Door(edge.Grains, home), key)).Outcome);
            var elsewhere = silos.First(s => !s.SiloAddress.Equals(home.SiloAddress));
            Assert.Equal(LookupOutcome.Hit, (await LookupAsync(ObjectHomes.Door(edge.Grains, elsewhere), key)).Outcome);
            Assert.Equal(LookupOutcome.Hit, (await edge.GetAsync(_distribution, target)).Outcome);
            Assert.Equal(1, edge.Origin.Requests(target));
            Assert.Equal(home.SiloAddress, EdgeClusterFixture.HolderOf(edge.Cluster, key));
        }

        // Twelve keys over three silos: more than one home (one in 3^11 chance of a false failure).
        Assert.True(homes.Count > 1);
    }

    [Fact]
    public async Task ThroughTheDoorOfAnotherSilo_ConcurrentMisses_StillOneOriginRequest()
    {
        var silos = await edge.Grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
        var target = $"/door-collapse/{Guid.NewGuid():N}?delay=300";
        var key = EdgeKeys.Object(_distribution, "", target);

        // Viewers of two gateways whose views of the membership differ: each door leads to the one fetch.
        var lookups = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => LookupAsync(ObjectHomes.Door(edge.Grains, silos[i % silos.Length]), key)));
        Assert.Equal(1, edge.Origin.Requests(target));
        Assert.Single(lookups, l => l.Outcome == LookupOutcome.Miss);
        Assert.All(lookups, l => Assert.Equal(200, l.Response!.Status));
    }

    [Fact]
    public async Task EachSilosDirectoryCache_SaysAnObjectLivesAtItsHomeOnlyThere_AndKeepsNoEntryForIt()
    {
        var silos = await edge.Grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
        for (var i = 0; i < 12; i++)
        {
            var target = $"/door-cache/{i}/{Guid.NewGuid():N}";
            var grain = edge.Object(_distribution, target).GetGrainId();
            var home = silos[ObjectHomes.Pick(grain.GetUniformHashCode(), silos.AsSpan(), static s => s.SiloAddress)].SiloAddress;
            Assert.Equal(LookupOutcome.Miss, (await LookupAsync(ObjectHomes.Door(edge.Grains, silos.Single(s => s.SiloAddress.Equals(home))), EdgeKeys.Object(_distribution, "", target))).Outcome);

            foreach (var silo in edge.Cluster.Silos)
            {
                var cache = edge.Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<IGrainDirectoryCache>();
                var answered = cache.LookUp(grain, out var address, out _);

                // The home answers for itself, so a call there goes straight to the activation; elsewhere placement decides.
                Assert.Equal(silo.SiloAddress.Equals(home), answered);
                Assert.True(!answered || address!.SiloAddress!.Equals(home));
                Assert.DoesNotContain(cache.KeyValues, entry => entry.ActivationAddress.GrainId.Equals(grain));
            }
        }
    }

    [Fact]
    public async Task ACopyInTheStore_IsAnsweredByTheDoor_WithoutActivatingTheObject()
    {
        var silos = await edge.Grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
        var target = $"/door-store/{Guid.NewGuid():N}";
        var key = EdgeKeys.Object(_distribution, "", target);
        var grain = edge.Object(_distribution, target).GetGrainId();
        var door = ObjectHomes.Door(edge.Grains, silos[ObjectHomes.Pick(grain.GetUniformHashCode(), silos.AsSpan(), static s => s.SiloAddress)]);

        var management = edge.Grains.GetGrain<IManagementGrain>(0);
        var miss = await LookupAsync(door, key);
        Assert.Equal(LookupOutcome.Miss, miss.Outcome);

        // The activation that fetched it ends once the copy is stored.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await management.GetActiveGrains(grain.Type)).Contains(grain))
        {
            Assert.True(DateTime.UtcNow < deadline, "the object's activation outlived its fetch");
            await Task.Delay(50);
        }

        // A second gateway asking for it gets the copy the first fetched, from the store, and no activation is made
        // for that (one made for a hit would stay until it idled out).
        var hit = await LookupAsync(door, key);
        Assert.Equal(LookupOutcome.Hit, hit.Outcome);
        Assert.Equal(miss.Response!.Body, hit.Response!.Body);
        Assert.DoesNotContain(grain, await management.GetActiveGrains(grain.Type));
        Assert.Equal(1, edge.Origin.Requests(target));
    }

    private Task<ObjectLookup> LookupAsync(IObjectHomeService door, string key) =>
        ObjectLookups.LookupAsync(ticket => door.GetAsync(key, edge.Profile(), ticket, relay: false), TimeSpan.FromMinutes(2), TimeProvider.System);
}

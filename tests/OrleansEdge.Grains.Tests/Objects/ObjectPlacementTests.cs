using System.Net;
using Orleans.Runtime.Placement;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Objects;

namespace OrleansEdge.Grains.Tests.Objects;

/// <summary>Where objects live: spread over the silos, and moved only as far as a membership change requires.</summary>
public sealed class ObjectPlacementTests
{
    private static readonly SiloAddress[] Silos = Enumerable.Range(0, 4)
        .Select(i => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111 + i), 100 + i)).ToArray();

    private static readonly GrainId[] Keys = Enumerable.Range(0, 4000)
        .Select(i => GrainId.Create("edge.object", EdgeKeys.Object("E1", "", $"/p/{i}"))).ToArray();

    private static Dictionary<GrainId, SiloAddress> Place(params SiloAddress[] silos)
    {
        var director = new ObjectPlacementDirector();
        var context = new Membership(silos);
        return Keys.ToDictionary(key => key, key => director.OnAddActivation(
            new ObjectPlacementStrategy(), new PlacementTarget(key, null!, default, 0), context).Result);
    }

    [Fact]
    public void EverySiloGetsItsShare_AndTheSameKeyAlwaysTheSameSilo()
    {
        var placed = Place(Silos[..3]);
        foreach (var silo in Silos[..3])
        {
            Assert.InRange(placed.Values.Count(s => s.Equals(silo)), 1000, 1700);
        }

        // Whatever order a silo lists the membership in, it computes the same homes.
        Assert.Equal(placed, Place([Silos[2], Silos[0], Silos[1]]));
    }

    [Fact]
    public void SiloLeaves_OnlyItsKeysMove()
    {
        var before = Place(Silos[..3]);
        var after = Place(Silos[0], Silos[2]);
        foreach (var (key, silo) in before)
        {
            Assert.Equal(silo.Equals(Silos[1]) ? after[key] : silo, after[key]);
        }
    }

    [Fact]
    public void SiloJoins_OnlyTheKeysItWinsMove_AndTheyAllGoToIt()
    {
        var before = Place(Silos[..3]);
        var after = Place(Silos);
        var moved = Keys.Where(key => !before[key].Equals(after[key])).ToList();
        Assert.All(moved, key => Assert.Equal(Silos[3], after[key]));
        Assert.InRange(moved.Count, 700, 1300);
    }

    private sealed class Membership(SiloAddress[] silos) : IPlacementContext
    {
        public SiloAddress LocalSilo => silos[0];

        public SiloStatus LocalSiloStatus => SiloStatus.Active;

        public SiloAddress[] GetCompatibleSilos(PlacementTarget target) => silos;

        public IReadOnlyDictionary<ushort, SiloAddress[]> GetCompatibleSilosWithVersions(PlacementTarget target) =>
            throw new NotSupportedException();
    }
}

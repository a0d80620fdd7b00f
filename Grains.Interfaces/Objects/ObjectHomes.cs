using Orleans.Serialization.TypeSystem;

namespace OrleansEdge.Grains.Interfaces.Objects;

/// <summary>
/// The one rule for an object's home silo (rendezvous hashing): the silo that ranks highest for the key. Silos place
/// objects by it, and cluster gateways send their lookups by it, so both agree wherever their membership views do.
/// A silo joining or leaving moves only the keys it wins or held (see <c>ObjectPlacement</c> for why that matters).
/// </summary>
public static class ObjectHomes
{
    // A grain service is named by its interface's type code, as the silo computes it when it starts the service.
    private static readonly int DoorTypeCode = (int)StableHash.ComputeHash(RuntimeTypeNameFormatter.Format(typeof(IObjectHomeService)));

    /// <summary>
    /// A client's reference to the door (<see cref="IObjectHomeService"/>) of the active silo <paramref name="silo"/>
    /// (an entry of the membership), named by the address the client knows it by: its gateway port, generation 0. So
    /// the client sends the call on its connection to that silo, and the silo takes it as addressed to itself.
    /// </summary>
    public static IObjectHomeService Door(IGrainFactory grains, MembershipEntry silo) =>
        grains.GetGrain<IObjectHomeService>(SystemTargetGrainId.CreateGrainServiceGrainId(
            DoorTypeCode, null!, SiloAddress.New(silo.SiloAddress.Endpoint.Address, silo.ProxyPort, 0)));

    /// <summary>The home among <paramref name="silos"/> (not empty) of the object whose grain id hashes to <paramref name="keyHash"/>.</summary>
    public static int Pick<T>(uint keyHash, ReadOnlySpan<T> silos, Func<T, SiloAddress> siloOf)
    {
        var best = 0;
        var bestSilo = siloOf(silos[0]);
        var bestRank = Rank(keyHash, bestSilo);
        for (var i = 1; i < silos.Length; i++)
        {
            var silo = siloOf(silos[i]);
            var rank = Rank(keyHash, silo);
            if (rank > bestRank || (rank == bestRank && silo.CompareTo(bestSilo) < 0))
            {
                best = i;
                bestSilo = silo;
                bestRank = rank;
            }
        }

        return best;
    }

    /// <summary>A well-mixed 64-bit score of the pair, so that each silo wins about as many keys as the others.</summary>
    private static ulong Rank(uint keyHash, SiloAddress silo)
    {
        var x = ((ulong)keyHash << 32) | (uint)silo.GetConsistentHashCode();
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        x ^= x >> 33;
        return x;
    }
}

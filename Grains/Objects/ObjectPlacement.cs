using Orleans.GrainDirectory;
using Orleans.Placement;
using Orleans.Runtime.Placement;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Objects;

/// <summary>
/// Places an object on its home silo (<see cref="ObjectHomes"/>), so that each activation of a key lands where its copy
/// is stored, and a silo joining or leaving moves only the keys it wins or held.
/// </summary>
/// <remarks>
/// With Orleans' own hash placement (modulo the number of silos) most keys would move at every membership change, each
/// missing once and leaving its old copy behind until the old silo's CLOCK or idle sweep dropped it; random placement
/// would find the copy one time in N.
/// <para>
/// Objects are not registered in the grain directory: every silo computes the same home for a key from the same
/// membership, so a registration (a remote call two times in three) before each fetch and an unregistration after
/// it would buy nothing but the rare case of two silos disagreeing while the membership changes. Then a key may be
/// active on two silos for a moment, each collapsing its own viewers into one fetch; both copies are safe, since an
/// invalidation reaches every silo's store. For the same reason their directory (<see cref="ObjectHomeDirectory"/>)
/// answers "not registered" at once, where Orleans' default directory would ask the key's directory partition,
/// on another silo two times in three, before every placement.
/// </para>
/// </remarks>
[Serializable]
internal sealed class ObjectPlacementStrategy : PlacementStrategy
{
    public override bool IsUsingGrainDirectory => false;
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class ObjectPlacementAttribute() : PlacementAttribute(new ObjectPlacementStrategy());

internal sealed class ObjectPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        return Task.FromResult(silos[ObjectHomes.Pick(target.GrainIdentity.GetUniformHashCode(), silos.AsSpan(), static silo => silo)]);
    }
}

/// <summary>The grain directory of objects: none is ever registered, since each silo computes a key's home itself.</summary>
internal sealed class ObjectHomeDirectory : IGrainDirectory
{
    public const string Name = "edge-objects";

    private static readonly Task<GrainAddress?> NotRegistered = Task.FromResult<GrainAddress?>(null);

    public Task<GrainAddress?> Lookup(GrainId grainId) => NotRegistered;

    public Task<GrainAddress?> Register(GrainAddress address) => Task.FromResult<GrainAddress?>(address);

    public Task Unregister(GrainAddress address) => Task.CompletedTask;

    public Task UnregisterSilos(List<SiloAddress> siloAddresses) => Task.CompletedTask;
}

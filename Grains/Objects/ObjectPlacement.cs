using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.GrainDirectory;
using Orleans.Metadata;
using Orleans.Placement;
using Orleans.Runtime.GrainDirectory;
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

/// <summary>
/// The directory cache of the grains in custom directories, which answers for an object whose home is this silo that
/// it lives here, without an entry: so a call to it from this silo (the door's, a fan-out's, the embedded edge's) goes
/// straight to its activation, made here if there is none, as placement would have decided.
/// </summary>
/// <remarks>
/// Orleans sends a call to a grain it finds in no cache through its placement worker, a queue with its own loop: four
/// hand-offs between threads before the call is on its way (the worker's wake-up, its yield, its second wake-up when the
/// placement is done, the caller's continuation), for a decision <see cref="ObjectPlacementDirector"/> makes in one step.
/// Every new object's first call took that path, about a third of a miss's thread hand-offs on its home silo. Only a home
/// that is this silo is answered: it is active (a silo that is not is nobody's home), and no other silo's view of the
/// membership is assumed. The director ranks the active silos that host objects, all of them but in a rolling upgrade;
/// a silo first among all active silos is first among those, so the answer is the one placement would give. Other
/// grains in custom directories are cached as Orleans would.
/// </remarks>
internal sealed class ObjectHomeCache : IGrainDirectoryCache
{
    private readonly SiloAddress _local;
    private readonly IClusterMembershipService _membership;
    private readonly IGrainDirectoryCache _others;
    private readonly Lazy<GrainType> _objectType;

    // The active silos of one membership version, read again when the version changes. A reference, so that a reader
    // on another thread sees a version with its own silos.
    private ActiveSilosOf _silos = new(MembershipVersion.MinValue, []);

    private sealed record ActiveSilosOf(MembershipVersion Version, SiloAddress[] Active);

    public ObjectHomeCache(IServiceProvider services, ILocalSiloDetails local, IClusterMembershipService membership, IOptions<GrainDirectoryOptions> options)
    {
        if (options.Value.CachingStrategy == GrainDirectoryOptions.CachingStrategyType.Custom)
        {
            throw new InvalidOperationException("The objects' directory cache keeps the other grains' entries in Orleans' own cache; a custom caching strategy would make it its own.");
        }

        _local = local.SiloAddress;
        _membership = membership;
        _others = GrainDirectoryCacheFactory.CreateGrainDirectoryCache(services, options.Value);

        // Resolved on first use: the cache is made while the silo's services are still being built.
        _objectType = new(() => services.GetRequiredService<GrainTypeResolver>().GetGrainType(typeof(CachedObjectGrain)));
    }

    public bool LookUp(GrainId key, [NotNullWhen(true)] out GrainAddress? result, out int version)
    {
        if (key.Type != _objectType.Value)
        {
            return _others.LookUp(key, out result, out version);
        }

        var snapshot = _membership.CurrentSnapshot;
        var silos = ActiveSilos(snapshot);
        if (silos.Length > 0 && silos[ObjectHomes.Pick(key.GetUniformHashCode(), silos.AsSpan(), static silo => silo)].Equals(_local))
        {
            result = new GrainAddress { GrainId = key, SiloAddress = _local, MembershipVersion = snapshot.Version };
            version = (int)snapshot.Version.Value;
            return true;
        }

        result = null;
        version = 0;
        return false;
    }

    // An object's place is computed, never cached: an entry would only cost memory and go stale with the membership.
    public void AddOrUpdate(GrainAddress value, int version)
    {
        if (value.GrainId.Type != _objectType.Value)
        {
            _others.AddOrUpdate(value, version);
        }
    }

    public bool Remove(GrainId key) => key.Type != _objectType.Value && _others.Remove(key);

    public bool Remove(GrainAddress key) => key.GrainId.Type != _objectType.Value && _others.Remove(key);

    public void Clear() => _others.Clear();

    public IEnumerable<(GrainAddress ActivationAddress, int Version)> KeyValues => _others.KeyValues;

    private SiloAddress[] ActiveSilos(ClusterMembershipSnapshot snapshot)
    {
        var silos = Volatile.Read(ref _silos);
        if (silos.Version == snapshot.Version)
        {
            return silos.Active;
        }

        var active = snapshot.Members.Values.Where(static member => member.Status == SiloStatus.Active).Select(static member => member.SiloAddress).ToArray();
        Volatile.Write(ref _silos, new ActiveSilosOf(snapshot.Version, active));
        return active;
    }
}

using Orleans.Services;

namespace OrleansEdge.Grains.Interfaces.Objects;

/// <summary>
/// Runs on every silo: the door to the objects whose home (<see cref="ObjectHomes"/>) is this silo. A cluster gateway
/// sends a lookup here, to the home's own gateway port, so it reaches the object in one hop; a call to the grain
/// itself would enter the cluster at whichever silo the client's connection leads to, and be forwarded from there
/// two times in three.
/// </summary>
[Alias("edge.object-home")]
public interface IObjectHomeService : IGrainService
{
    /// <summary><see cref="ICachedObjectGrain.GetAsync"/> of the object <paramref name="key"/>, asked from its home.</summary>
    [Alias("get")]
    Task<ObjectLookup> GetAsync(string key, OriginProfile origin, FetchTicket ticket, bool relay);
}

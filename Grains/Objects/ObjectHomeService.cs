using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Objects;

/// <summary>
/// A silo's door to its objects (<see cref="IObjectHomeService"/>): the call to the object stays in this process when
/// the gateway ranked the silos as the silo does, and is placed as any other call when it did not (the membership
/// changed between the two views), one hop further, as every lookup was before.
/// </summary>
[Reentrant]
internal sealed class ObjectHomeService(GrainId id, Silo silo, ILoggerFactory loggers, IGrainFactory grains)
    : GrainService(id, silo, loggers), IObjectHomeService
{
    public Task<ObjectLookup> GetAsync(string key, OriginProfile origin, FetchTicket ticket, bool relay) =>
        grains.CachedObject(key).GetAsync(origin, ticket, relay);
}

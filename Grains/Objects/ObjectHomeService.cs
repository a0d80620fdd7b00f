using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Objects;

/// <summary>
/// A silo's door to its objects (<see cref="IObjectHomeService"/>): the call to the object stays in this process when
/// the gateway ranked the silos as the silo does, and is placed as any other call when it did not (the membership
/// changed between the two views), one hop further, as every lookup was before.
/// </summary>
/// <remarks>
/// A lookup that finds a fresh copy in this silo's store (a second gateway asking for what the first fetched, a
/// gateway whose own copy was evicted or restarted) is answered here, as the object would answer it, without
/// activating the object: an activation and its end cost about as much as a miss's turns on the silo. Anything else
/// (no copy, a stale one to revalidate, hit-for-pass, a viewer asking again by ticket) is the object's to decide.
/// </remarks>
[Reentrant]
internal sealed class ObjectHomeService(
    GrainId id, Silo silo, ILoggerFactory loggers, IGrainFactory grains, SiloObjectStore objects, TimeProvider time)
    : GrainService(id, silo, loggers), IObjectHomeService
{
    public Task<ObjectLookup> GetAsync(string key, OriginProfile origin, FetchTicket ticket, bool relay) =>
        ticket.Fetch == 0 && objects.TryGetFresh(key, time.GetUtcNow(), out var copy)
            ? Task.FromResult(new ObjectLookup(LookupOutcome.Hit, copy))
            : grains.CachedObject(key).GetAsync(origin, ticket, relay);
}

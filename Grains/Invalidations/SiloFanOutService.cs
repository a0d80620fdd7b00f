using Orleans.Concurrency;
using Microsoft.Extensions.Logging;
using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Grains.Invalidations;

/// <summary>
/// The silo's end of a batched fan-out. The objects of a batch lived on this silo when they last told their
/// tag or index, so the calls made here stay in the process; one that has moved is still reached, remotely.
/// </summary>
/// <remarks>Reentrant: batches of concurrent invalidations interleave, as their calls to objects would anyway.</remarks>
[Reentrant]
internal sealed class SiloFanOutService(GrainId id, Silo silo, ILoggerFactory loggers, IGrainFactory grains)
    : GrainService(id, silo, loggers), ISiloFanOutService
{
    public Task<FanOutBatchResult> InvalidateAsync(string[] keys, InvalidationStamp stamp, string? tag) =>
        ObjectFanOut.InvalidateHereAsync(grains, keys, stamp, tag);
}

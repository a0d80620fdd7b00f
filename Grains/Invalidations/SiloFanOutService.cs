using Orleans.Concurrency;
using Microsoft.Extensions.Logging;
using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Objects;

namespace OrleansEdge.Grains.Invalidations;

/// <summary>
/// The silo's end of a fan-out: remembers the notice, so that fetches in flight here learn of it when they settle,
/// and invalidates the objects here that it names, with calls that stay in the process.
/// </summary>
/// <remarks>Reentrant: notices of concurrent invalidations interleave, as their calls to objects would anyway.</remarks>
[Reentrant]
internal sealed class SiloFanOutService(GrainId id, Silo silo, ILoggerFactory loggers, IGrainFactory grains, SiloObjectIndex objects)
    : GrainService(id, silo, loggers), ISiloFanOutService
{
    private const int Attempts = 3;

    public async Task<int> ApplyAsync(InvalidationNotice notice)
    {
        IReadOnlyList<string> keys = objects.Apply(notice);
        var invalidated = 0;
        for (var attempt = 1; keys.Count > 0; attempt++)
        {
            var (count, failed) = await InvalidateHereAsync(keys, notice.Stamp);
            invalidated += count;
            if (failed is null)
            {
                break;
            }

            if (attempt == Attempts)
            {
                // The caller retries the whole notice on this silo; applying it twice changes nothing.
                throw new InvalidOperationException($"{failed.Count} objects could not be invalidated after {Attempts} attempts.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50 << attempt));
            keys = failed;
        }

        return invalidated;
    }

    /// <summary>Invalidates objects of this silo, all at once; says how many were affected and which calls failed.</summary>
    private async Task<(int Invalidated, List<string>? Failed)> InvalidateHereAsync(IReadOnlyList<string> keys, InvalidationStamp stamp)
    {
        var calls = new Task<InvalidationEffect>[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            calls[i] = grains.GetGrain<ICachedObjectGrain>(keys[i]).InvalidateAsync(stamp);
        }

        var invalidated = 0;
        List<string>? failed = null;
        for (var i = 0; i < calls.Length; i++)
        {
            try
            {
                if (await calls[i] == InvalidationEffect.Invalidated)
                {
                    invalidated++;
                }
            }
            catch (Exception)
            {
                (failed ??= []).Add(keys[i]);
            }
        }

        return (invalidated, failed);
    }
}

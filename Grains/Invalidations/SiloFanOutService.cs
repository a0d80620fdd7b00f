using Orleans.Concurrency;
using Microsoft.Extensions.Logging;
using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Objects;
using OrleansEdge.Grains.Interfaces.Retries;

namespace OrleansEdge.Grains.Invalidations;

/// <summary>
/// The silo's end of a fan-out: the silo's store remembers the notice (so that fetches in flight here learn of it when
/// they settle) and applies it to the copies it names; the objects among them active here hear of it by calls that
/// stay in the process.
/// </summary>
/// <remarks>Reentrant: notices of concurrent invalidations interleave, as their calls to objects would anyway.</remarks>
[Reentrant]
internal sealed class SiloFanOutService(GrainId id, Silo silo, ILoggerFactory loggers, IGrainFactory grains, SiloObjectStore objects)
    : GrainService(id, silo, loggers), ISiloFanOutService
{
    private const int Attempts = 3;

    public async Task<int> ApplyAsync(InvalidationNotice notice)
    {
        var effect = objects.Apply(notice);
        var invalidated = effect.Invalidated;
        IReadOnlyList<(string Key, bool CopyInvalidated)> active = effect.Active;
        for (var attempt = 1; active.Count > 0; attempt++)
        {
            var (count, failed) = await InvalidateFetchesAsync(active, notice.Stamp);
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

            await Task.Delay(RetryBackoff.Delay(attempt, TimeSpan.FromSeconds(1)));
            active = failed;
        }

        return invalidated;
    }

    /// <summary>
    /// Tells the objects active here (fetching, most of them) of the invalidation, all at once: a fetch it covers must
    /// not be stored. Says how many objects were affected, their copy or their fetch, and which calls failed.
    /// </summary>
    private async Task<(int Invalidated, List<(string, bool)>? Failed)> InvalidateFetchesAsync(
        IReadOnlyList<(string Key, bool CopyInvalidated)> active, InvalidationStamp stamp)
    {
        var calls = new Task<InvalidationEffect>[active.Count];
        for (var i = 0; i < active.Count; i++)
        {
            calls[i] = grains.CachedObject(active[i].Key).InvalidateAsync(stamp);
        }

        var invalidated = 0;
        List<(string, bool)>? failed = null;
        for (var i = 0; i < calls.Length; i++)
        {
            try
            {
                if (await calls[i] == InvalidationEffect.Invalidated || active[i].CopyInvalidated)
                {
                    invalidated++;
                }
            }
            catch (Exception)
            {
                (failed ??= []).Add(active[i]);
            }
        }

        return (invalidated, failed);
    }
}

using Microsoft.Extensions.Logging;
using Orleans.Runtime.Services;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Invalidations;

/// <summary>An object to reach, and the silo it was placed on when it last told us (null when not known).</summary>
internal readonly record struct FanOutTarget(string Key, SiloAddress? Silo);

/// <summary>
/// Sends one invalidation to many object grains, wherever they live: grouped by silo, in batches that each
/// silo's <see cref="ISiloFanOutService"/> runs locally, so a 1,000-object tag costs a few messages between
/// silos rather than 1,000 round trips.
/// </summary>
internal sealed partial class ObjectFanOut(IServiceProvider services, IGrainFactory grains, ILogger<ObjectFanOut> logger)
    : GrainServiceClient<ISiloFanOutService>(services)
{
    /// <summary>Objects per message. Large enough to amortise a message, small enough to keep a silo's queue short.</summary>
    private const int BatchSize = 1024;

    /// <summary>Batches in flight per silo: one running while the next travels.</summary>
    private const int BatchesInFlight = 2;

    private const int Attempts = 8;

    /// <summary>The objects affected, and the keys that answered they no longer carry the tag.</summary>
    public readonly record struct Result(int Invalidated, List<string>? NotTagged);

    /// <summary>
    /// Invalidates every target. A batch whose silo cannot be reached, and any call that fails, is retried
    /// object by object with backoff; one that still fails throws, so the invalidation stays in progress and
    /// is retried as a whole rather than dropped.
    /// </summary>
    public async Task<Result> InvalidateAsync(IReadOnlyList<FanOutTarget> targets, InvalidationStamp stamp, string? tag)
    {
        var invalidated = 0;
        List<string>? notTagged = null;
        IEnumerable<IGrouping<SiloAddress?, string>> groups = targets.GroupBy(t => t.Silo, t => t.Key);
        for (var attempt = 1; ; attempt++)
        {
            var failed = new List<string>();
            Exception? lastFailure = null;

            // Every continuation runs on the calling grain's scheduler, one at a time: the tallies need no lock.
            async Task RunAsync(SiloAddress? silo, Queue<string[]> batches)
            {
                while (batches.TryDequeue(out var batch))
                {
                    try
                    {
                        var result = silo is null
                            ? await InvalidateHereAsync(grains, batch, stamp, tag)
                            : await GetGrainService(silo).InvalidateAsync(batch, stamp, tag);
                        invalidated += result.Invalidated;
                        if (result.NotTagged.Length > 0)
                        {
                            (notTagged ??= []).AddRange(result.NotTagged);
                        }

                        failed.AddRange(result.Failed);
                    }
                    catch (Exception exception)
                    {
                        failed.AddRange(batch);
                        lastFailure = exception;
                    }
                }
            }

            var workers = new List<Task>();
            foreach (var group in groups)
            {
                var batches = new Queue<string[]>(group.Chunk(BatchSize));
                for (var i = 0; i < BatchesInFlight; i++)
                {
                    workers.Add(RunAsync(group.Key, batches));
                }
            }

            await Task.WhenAll(workers);
            if (failed.Count == 0)
            {
                return new Result(invalidated, notTagged);
            }

            if (attempt == Attempts)
            {
                throw new InvalidOperationException($"{failed.Count} objects could not be invalidated after {Attempts} attempts.", lastFailure);
            }

            LogRetrying(logger, lastFailure, failed.Count, attempt);
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 50 << attempt)));

            // Retried without the silo: wherever the object lives now, a direct call finds it.
            groups = failed.GroupBy(_ => (SiloAddress?)null);
        }
    }

    /// <summary>Calls every object of a batch at once from here, and says what each call did.</summary>
    public static async Task<FanOutBatchResult> InvalidateHereAsync(IGrainFactory grains, string[] keys, InvalidationStamp stamp, string? tag)
    {
        var calls = new Task<InvalidationEffect>[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            calls[i] = grains.GetGrain<ICachedObjectGrain>(keys[i]).InvalidateAsync(stamp, tag);
        }

        var invalidated = 0;
        List<string>? notTagged = null;
        List<string>? failed = null;
        for (var i = 0; i < calls.Length; i++)
        {
            try
            {
                switch (await calls[i])
                {
                    case InvalidationEffect.Invalidated:
                        invalidated++;
                        break;
                    case InvalidationEffect.NotTagged:
                        (notTagged ??= []).Add(keys[i]);
                        break;
                }
            }
            catch (Exception)
            {
                // Handed back for a retry: the caller logs the failures that outlast it.
                (failed ??= []).Add(keys[i]);
            }
        }

        return new FanOutBatchResult(invalidated, notTagged?.ToArray() ?? [], failed?.ToArray() ?? []);
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Retrying the invalidation of {Count} objects (attempt {Attempt})")]
    private static partial void LogRetrying(ILogger logger, Exception? exception, int count, int attempt);
}

using Microsoft.Extensions.Logging;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Invalidations;

/// <summary>Sends one invalidation to many object grains, wherever they live, in parallel batches.</summary>
internal static partial class ObjectFanOut
{
    /// <summary>
    /// Calls in flight at once. Large enough to keep every silo busy, small enough that a 100,000-member tag
    /// does not queue 100,000 messages and time them out.
    /// </summary>
    private const int Window = 1024;

    private const int Attempts = 8;

    /// <summary>The objects affected, and the keys that answered they no longer carry the tag.</summary>
    public readonly record struct Result(int Invalidated, List<string>? NotTagged);

    /// <summary>
    /// Invalidates every key. A failed call is retried with backoff; one that still fails throws, so the
    /// invalidation stays in progress and is retried as a whole rather than dropped.
    /// </summary>
    public static async Task<Result> InvalidateAsync(
        IGrainFactory grains, IReadOnlyList<string> keys, InvalidationStamp stamp, string? tag, ILogger logger)
    {
        var invalidated = 0;
        List<string>? notTagged = null;
        var pending = keys;
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            List<string>? failed = null;
            Exception? lastFailure = null;
            for (var start = 0; start < pending.Count; start += Window)
            {
                var count = Math.Min(Window, pending.Count - start);
                var calls = new Task<InvalidationEffect>[count];
                for (var i = 0; i < count; i++)
                {
                    calls[i] = grains.GetGrain<ICachedObjectGrain>(pending[start + i]).InvalidateAsync(stamp, tag);
                }

                for (var i = 0; i < count; i++)
                {
                    try
                    {
                        switch (await calls[i])
                        {
                            case InvalidationEffect.Invalidated:
                                invalidated++;
                                break;
                            case InvalidationEffect.NotTagged:
                                (notTagged ??= []).Add(pending[start + i]);
                                break;
                        }
                    }
                    catch (Exception exception)
                    {
                        (failed ??= []).Add(pending[start + i]);
                        lastFailure = exception;
                    }
                }
            }

            if (failed is null)
            {
                break;
            }

            if (attempt == Attempts)
            {
                throw new InvalidOperationException($"{failed.Count} objects could not be invalidated after {Attempts} attempts.", lastFailure);
            }

            LogRetrying(logger, lastFailure, failed.Count, attempt);
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 50 << attempt)));
            pending = failed;
        }

        return new Result(invalidated, notTagged);
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Retrying the invalidation of {Count} objects (attempt {Attempt})")]
    private static partial void LogRetrying(ILogger logger, Exception? exception, int count, int attempt);
}

namespace OrleansEdge.Grains.Interfaces.Invalidations;

/// <summary>Waiting for an invalidation to complete, as the purge endpoint and tests do it.</summary>
public static class InvalidationWaits
{
    /// <summary>How long one wait call lasts at most before the caller asks again.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    /// <summary>Beyond the poll interval, how long a call may take before its silo is taken for dead or stalled.</summary>
    public static readonly TimeSpan CallGrace = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The completed record, or null if the invalidation did not complete within <paramref name="within"/>. A call
    /// that fails or outlasts its grace (the record's silo died, the cluster is failing over) is asked again: the
    /// record's next activation resumes the run from its durable state, so waiting again is all it takes.
    /// </summary>
    public static async Task<InvalidationRecord?> WaitUntilCompletedAsync(this IInvalidationGrain invalidation, TimeSpan within, TimeProvider time)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var left = within - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return null;
            }

            var wait = left < PollInterval ? left : PollInterval;
            try
            {
                if (await invalidation.WaitForCompletionAsync(wait).WaitAsync(wait + CallGrace, time) is { Status: InvalidationStatus.Completed } record)
                {
                    return record;
                }
            }
            catch (Exception exception) when (Retries.ClusterFailures.IsClusterFailure(exception))
            {
                var pause = TimeSpan.FromMilliseconds(200);
                if (time.GetElapsedTime(started) + pause < within)
                {
                    await Task.Delay(pause, time);
                }
            }
        }
    }
}

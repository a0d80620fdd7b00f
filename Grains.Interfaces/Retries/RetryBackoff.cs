namespace OrleansEdge.Grains.Interfaces.Retries;

/// <summary>
/// The one backoff every retry of the edge waits by: doubling from 50 ms up to a cap the caller chooses, half of each
/// pause fixed and half random ("equal jitter"), so the many callers a failure interrupts at once (fan-outs to every
/// silo, notices to every gateway) do not all come back at the same instant. How many attempts, and when to stop
/// (a silo declared dead, a gateway whose lease ended, a deadline), stays the caller's rule.
/// </summary>
public static class RetryBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(50);

    /// <summary>The pause after failed attempt <paramref name="attempt"/> (1 for the first), at most <paramref name="cap"/>.</summary>
    public static TimeSpan Delay(int attempt, TimeSpan cap)
    {
        var doubled = First.Ticks << Math.Clamp(attempt - 1, 0, 20);
        var full = Math.Min(doubled, cap.Ticks);
        return TimeSpan.FromTicks(full / 2 + Random.Shared.NextInt64(full / 2 + 1));
    }
}

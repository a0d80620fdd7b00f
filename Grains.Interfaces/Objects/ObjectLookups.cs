namespace OrleansEdge.Grains.Interfaces.Objects;

/// <summary>A viewer's lookup as a caller of an object grain makes it: asked again while the fetch is pending, within a deadline.</summary>
public static class ObjectLookups
{
    /// <summary>
    /// Beyond <see cref="ICachedObjectGrain.PollInterval"/>, how long one call may take before its silo is taken for
    /// dead or stalled: messaging and scheduling on a loaded machine, not the origin.
    /// </summary>
    public static readonly TimeSpan CallGrace = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Looks the object up, asking again while its fetch is pending, until it answers or <paramref name="within"/>
    /// has passed (<paramref name="relay"/>: see <see cref="ICachedObjectGrain.GetAsync"/>). Throws <see cref="TimeoutException"/> when a call outlasts the poll interval and its grace (the
    /// object's silo is dead or stalled) or the deadline passes, so the caller can answer from the origin instead.
    /// </summary>
    public static Task<ObjectLookup> LookupAsync(this ICachedObjectGrain grain, OriginProfile origin, TimeSpan within, TimeProvider time, bool relay = false) =>
        LookupAsync(ticket => grain.GetAsync(origin, ticket, relay), within, time);

    /// <summary>
    /// The same, with each call made by <paramref name="ask"/>: <see cref="ICachedObjectGrain.GetAsync"/> of the object,
    /// made however the caller reaches it (<see cref="IObjectHomeService"/>, for one).
    /// </summary>
    public static async Task<ObjectLookup> LookupAsync(Func<FetchTicket, Task<ObjectLookup>> ask, TimeSpan within, TimeProvider time)
    {
        var started = time.GetTimestamp();
        var ticket = default(FetchTicket);
        while (true)
        {
            var left = within - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"The object did not answer within {within.TotalSeconds:0.#} s.");
            }

            var callLimit = ICachedObjectGrain.PollInterval + CallGrace;
            var lookup = await ask(ticket).WaitAsync(left < callLimit ? left : callLimit, time);
            if (lookup.Outcome != LookupOutcome.Pending)
            {
                return lookup;
            }

            ticket = lookup.Ticket;
        }
    }
}

using Orleans.Concurrency;
using Orleans.GrainDirectory;
using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Objects;

/// <summary>Fetches one object from the origin, once, however many viewers wait, and serves its copy from this silo's store.</summary>
/// <remarks>
/// Active only while it fetches: the copy lives in the silo's <see cref="SiloObjectStore"/>, so once a fetch has
/// settled the activation ends, and a cached object costs its copy rather than an Orleans activation as well. A
/// fetch slow enough to have told viewers "pending" keeps its activation, so that they can ask again for it by
/// ticket; idle activations go after <see cref="ActivationIdleAge"/>.
/// <para>
/// Reentrant so that viewers can join a fetch in flight and an invalidation can reach the object while its origin
/// request is pending (otherwise a purge would wait for a slow origin). Interleaving is safe because every field
/// changes only in synchronous stretches between awaits, and a fetch settles (asks the store about the
/// invalidations heard of since it started, records its tags and stores its copy) in one such stretch.
/// </para>
/// </remarks>
[Reentrant]
[ObjectPlacement]
[GrainDirectory(ObjectHomeDirectory.Name)]
internal sealed class CachedObjectGrain(
    OriginFetcher fetcher,
    SiloObjectStore objects,
    TimeProvider time,
    GrainMetrics metrics) : Grain, ICachedObjectGrain
{
    /// <summary>How long an activation kept for a slow fetch's tickets stays once nobody asks.</summary>
    public static readonly TimeSpan ActivationIdleAge = TimeSpan.FromMinutes(2);

    /// <summary>How long a response that may not be shared (private, too large) sends viewers straight to the origin.</summary>
    private static readonly TimeSpan PassMemory = TimeSpan.FromMinutes(2);

    private static readonly ObjectLookup PassLookup = new(LookupOutcome.Pass, null);
    private static readonly Task<ObjectLookup> PassTask = Task.FromResult(PassLookup);

    /// <summary>Fresh fetches a viewer that joined an invalidated fetch may cause before it is sent to the origin itself.</summary>
    private const int MaxRefetches = 3;

    private string _key = "";

    private Task<FetchCompletion>? _fetch;
    private DateTimeOffset _fetchStarted;
    private long _fetchStartedTimestamp;

    // Fetches are numbered so that a viewer told "pending" can ask again for the same one. Numbers start at random
    // so that a ticket from an earlier activation never names a fetch of this one.
    private long _fetchNumber = Random.Shared.NextInt64(1, long.MaxValue / 2);
    private long _fetchInFlight;
    private (long Number, FetchCompletion Completion)? _lastFetch;

    // A fetch an invalidation detached while in flight: nobody new joins it, but the viewer that started it, told
    // "pending", still gets its response when it asks again by ticket, as it would have had the origin been quicker.
    private (long Number, Task<FetchCompletion> Fetch)? _detached;

    // Bumped by every invalidation that covers the fetch in flight; a fetch that sees it change stores nothing.
    private int _generation;

    // A body too large to store, kept open for the viewer that asked: the activation stays while it is held or relayed.
    private readonly RelayHolder _relays = new();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = this.GetPrimaryKeyString();
        objects.Enter(_key, this);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        objects.Leave(_key, this);
        await _relays.LetGoAsync();
    }

    Task<ObjectLookup> ICachedObjectGrain.GetAsync(OriginProfile origin, FetchTicket ticket, bool relay) =>
        ticket.Fetch != 0 && Resume(origin, ticket, relay) is { } resumed ? resumed : Lookup(origin, refetches: 0, relay);

    async IAsyncEnumerable<byte[]> ICachedObjectGrain.RelayAsync(long relay, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var chunk in _relays.RelayAsync(relay, cancellationToken))
            {
                yield return chunk;
            }
        }
        finally
        {
            DeactivateWhenSettled();
        }
    }

    private Task<ObjectLookup> Lookup(OriginProfile origin, int refetches, bool relay)
    {
        var stored = objects.Find(_key);
        if (stored.Copy is { } copy && copy.IsFresh(time.GetUtcNow()))
        {
            return Task.FromResult(new ObjectLookup(LookupOutcome.Hit, copy));
        }

        if (stored.Passing)
        {
            return PassTask;
        }

        if (_fetch is { } inFlight)
        {
            return Poll(JoinFetchAsync(inFlight, origin, refetches, relay), new FetchTicket(_fetchInFlight, Initiator: false));
        }

        var fetch = BeginFetch(origin, stored.Copy, relay);
        return Poll(InitiatorOf(fetch), new FetchTicket(_fetchInFlight, Initiator: true));
    }

    /// <summary>A viewer asking again, after <see cref="LookupOutcome.Pending"/>, for the fetch it was waiting on.</summary>
    private Task<ObjectLookup>? Resume(OriginProfile origin, FetchTicket ticket, bool relay)
    {
        if (_fetch is { } inFlight && _fetchInFlight == ticket.Fetch)
        {
            return Poll(ticket.Initiator ? InitiatorOf(inFlight) : JoinFetchAsync(inFlight, origin, refetches: 0, relay), ticket);
        }

        if (ticket.Initiator && _detached is { } detached && detached.Number == ticket.Fetch)
        {
            return Poll(InitiatorOf(detached.Fetch), ticket);
        }

        if (_lastFetch is { } last && last.Number == ticket.Fetch)
        {
            return ticket.Initiator ? Task.FromResult(last.Completion.ForInitiator)
                : last.Completion.ForJoiners is { } shared ? Task.FromResult(shared)
                : Lookup(origin, refetches: 1, relay);
        }

        // A fetch this activation does not know (it was detached, or the object was activated anew): start over.
        return null;
    }

    /// <summary>
    /// Answers within <see cref="ICachedObjectGrain.PollInterval"/>: a viewer waiting on a slow origin asks again
    /// with its ticket, so that no grain call waits on the origin and a gateway notices a dead silo within seconds.
    /// </summary>
    private Task<ObjectLookup> Poll(Task<ObjectLookup> lookup, FetchTicket ticket) =>
        lookup.IsCompleted ? lookup : PollAsync(lookup, ticket);

    private async Task<ObjectLookup> PollAsync(Task<ObjectLookup> lookup, FetchTicket ticket)
    {
        try
        {
            return await lookup.WaitAsync(ICachedObjectGrain.PollInterval, time);
        }
        catch (TimeoutException)
        {
            return new ObjectLookup(LookupOutcome.Pending, null, Ticket: ticket);
        }
    }

    Task<InvalidationEffect> ICachedObjectGrain.InvalidateAsync(InvalidationStamp stamp)
    {
        // The copy is the store's, which has applied the notice already; what is left is the fetch in flight.
        if (_fetch is null || !stamp.Covers(_fetchStarted))
        {
            return Task.FromResult(InvalidationEffect.Unaffected);
        }

        // Detach the fetch: its viewers still get its response as a miss, but it stores nothing and nobody new
        // joins it, so no viewer is handed a pre-invalidation response as a hit.
        _generation++;
        _detached = (_fetchInFlight, _fetch);
        _fetch = null;
        return Task.FromResult(InvalidationEffect.Invalidated);
    }

    /// <summary>Starts a fetch that viewers can join until it completes or an invalidation detaches it.</summary>
    private Task<FetchCompletion> BeginFetch(OriginProfile origin, CachedResponse? stale, bool relay)
    {
        var number = ++_fetchNumber;
        var fetch = RunFetchAsync(origin, stale, number, relay);
        if (!fetch.IsCompleted)
        {
            _fetch = fetch;
            _fetchInFlight = number;
        }

        return fetch;
    }

    private async Task<FetchCompletion> RunFetchAsync(OriginProfile origin, CachedResponse? stale, long number, bool relay)
    {
        var startedAt = time.GetTimestamp();
        try
        {
            var completion = await FetchAsync(origin, stale, number, relay);

            // Only a fetch slow enough to have answered "pending" can be asked for again by its ticket; keeping
            // every completion would cost each cached object its answers for as long as it stays active.
            _lastFetch = time.GetElapsedTime(startedAt) >= ICachedObjectGrain.PollInterval / 2 ? (number, completion) : null;
            return completion;
        }
        finally
        {
            // Also when the fetch failed unexpectedly: the next viewer starts a new one rather than join a fault.
            if (_fetchInFlight == number)
            {
                _fetch = null;
            }

            if (_detached?.Number == number)
            {
                _detached = null;
            }

            DeactivateWhenSettled();
        }
    }

    /// <summary>
    /// Once no fetch is in flight (detached or not), none can be asked for by ticket and no body is held or relayed,
    /// what was fetched is in the store and the activation would only hold memory. Viewers already joined are answered
    /// before it goes.
    /// </summary>
    private void DeactivateWhenSettled()
    {
        if (_fetch is null && _detached is null && _lastFetch is null && _relays.Idle)
        {
            DeactivateOnIdle();
        }
    }

    private static async Task<ObjectLookup> InitiatorOf(Task<FetchCompletion> fetch) => (await fetch).ForInitiator;

    private async Task<ObjectLookup> JoinFetchAsync(Task<FetchCompletion> fetch, OriginProfile origin, int refetches, bool relay)
    {
        var completion = await fetch;
        if (completion.ForJoiners is { } shared)
        {
            return shared;
        }

        // The response was fetched before an invalidation that reached it while it was on its way. A viewer that
        // joined may have arrived after that invalidation completed, so it may not receive it: it gets a fetch
        // made after the invalidation, collapsed with the other joiners. Bounded: a storm of invalidations ends
        // in a pass, which the gateway fetches itself, also after the invalidation.
        return refetches < MaxRefetches ? await Lookup(origin, refetches + 1, relay) : PassLookup;
    }

    private async Task<FetchCompletion> FetchAsync(OriginProfile origin, CachedResponse? stale, long number, bool relay)
    {
        var started = time.GetUtcNow();
        _fetchStarted = started;
        _fetchStartedTimestamp = time.GetTimestamp();
        var generation = _generation;

        var revalidating = stale is { ETag: not null } or { LastModified: not null } ? stale : null;
        var (_, _, target, variant) = EdgeKeys.SplitObject(_key);
        var fetched = await fetcher.FetchAsync(target, variant, origin, revalidating, keepTooLarge: relay);
        var now = time.GetUtcNow();
        if (fetched.Kind == OriginFetchKind.Response)
        {
            // What is stored under the key, and served from it, is in the one encoding the key names.
            if (ContentCodings.Fit(fetched.Headers, fetched.Body, AcceptedEncoding(variant), origin.Compress, origin.MaxBodyBytes) is not { } fitted)
            {
                // An encoding the edge cannot undo, or one that undoes past the size limit: the viewer's own request
                // goes to the origin, and its own Accept-Encoding with it.
                objects.Pass(_key, PassMemory);
                return Both(PassLookup);
            }

            fetched = fetched with { Headers = fitted.Headers, Body = fitted.Body };
        }

        switch (fetched.Kind)
        {
            case OriginFetchKind.NotModified:
                return Refresh(revalidating!, fetched, origin, started, now, generation);

            case OriginFetchKind.Response when fetched.Status >= 500:
                return Both(StaleOr(objects.Find(_key).Copy, now, new ObjectLookup(LookupOutcome.Error, StoredResponses.Transient(fetched, started, now))));

            case OriginFetchKind.Response:
                return Store(fetched, origin, started, now, generation);

            case OriginFetchKind.TooLarge:
                objects.Pass(_key, PassMemory);
                return fetched.Relay is { } body
                    ? new FetchCompletion(await HoldAsync(body, fetched.Headers, number), PassLookup)
                    : Both(PassLookup);

            default:
                return Both(StaleOr(objects.Find(_key).Copy, now, new ObjectLookup(LookupOutcome.Error, null, fetched.ErrorStatus, fetched.ErrorMessage)));
        }
    }

    /// <summary>
    /// Keeps a body too large to store for the viewer whose lookup fetched it (the others, who may have joined, ask the
    /// origin themselves), for <see cref="RelayHolder.HoldFor"/> at most.
    /// </summary>
    private async Task<ObjectLookup> HoldAsync(OriginRelay body, HeaderField[] headers, long number)
    {
        var expiry = this.RegisterGrainTimer(static async (held, _) =>
            {
                await held.Grain._relays.LetGoAsync(held.Number);
                held.Grain.DeactivateWhenSettled();
            },
            (Grain: this, Number: number),
            new GrainTimerCreationOptions { DueTime = RelayHolder.HoldFor, Period = Timeout.InfiniteTimeSpan, Interleave = true });
        await _relays.HoldAsync(number, body, expiry);
        return new ObjectLookup(LookupOutcome.Pass, null, Relayed: new RelayedResponse(body.Status, headers, body.ContentLength, number));
    }

    private FetchCompletion Store(
        OriginFetch fetched, OriginProfile origin, DateTimeOffset started, DateTimeOffset now, int generation)
    {
        var freshness = FreshnessPolicy.Evaluate(fetched.Status, fetched.Headers, now, origin);
        var tags = freshness.Storable ? ObjectTags.Read(fetched.Headers, origin, metrics) : null;
        if (tags is null)
        {
            // The first viewer gets what it asked for; the others may not share it and fetch their own.
            objects.Pass(_key, PassMemory);
            return new FetchCompletion(new ObjectLookup(LookupOutcome.Miss, StoredResponses.Transient(fetched, started, now)), PassLookup);
        }

        var response = StoredResponses.New(fetched, freshness, tags, started, now);
        if (!Settle(response, origin.TagHeader, generation))
        {
            // Served to the viewer that asked before the invalidation, marked stale so that no gateway keeps it as a
            // fresh copy; the viewers that joined get a fetch of their own.
            return new FetchCompletion(new ObjectLookup(LookupOutcome.Miss, StoredResponses.Unkept(response)), null);
        }

        return new FetchCompletion(new ObjectLookup(LookupOutcome.Miss, response), new ObjectLookup(LookupOutcome.Hit, response));
    }

    private FetchCompletion Refresh(
        CachedResponse stale, OriginFetch fetched, OriginProfile origin, DateTimeOffset started, DateTimeOffset now, int generation)
    {
        var (refreshed, storable) = StoredResponses.Refreshed(stale, fetched, origin, started, now);
        var stored = storable && Settle(refreshed, origin.TagHeader, generation);
        if (!storable && generation == _generation)
        {
            objects.Drop(_key);
        }

        if (stored || !storable)
        {
            return Both(new ObjectLookup(LookupOutcome.RefreshHit, stored ? refreshed : StoredResponses.Unkept(refreshed)));
        }

        // Invalidated while the origin confirmed it: as for a new response, joiners get a fetch of their own.
        return new FetchCompletion(new ObjectLookup(LookupOutcome.RefreshHit, StoredResponses.Unkept(refreshed)), null);
    }

    /// <summary>
    /// Stores the response in this silo's store, which records its tags and stores it as fresh only if no
    /// invalidation reached it while it was being fetched; returns whether it was stored fresh. Synchronous, so that
    /// no invalidation slips in between the verdict and the store.
    /// </summary>
    private bool Settle(CachedResponse response, string? tagHeader, int generation) =>
        generation == _generation && objects.Settle(_key, this, tagHeader, response, _fetchStartedTimestamp) == CopyVerdict.Current;

    /// <summary>
    /// The stored copy, if the origin allows it to stand in for a failure (stale-if-error), else <paramref name="failure"/>.
    /// Callers pass the copy as it is now, not as it was when the fetch began, so a purge during the fetch wins.
    /// </summary>
    private static ObjectLookup StaleOr(CachedResponse? stale, DateTimeOffset now, ObjectLookup failure) =>
        stale is not null && now <= stale.StaleIfErrorUntil ? new ObjectLookup(LookupOutcome.Error, stale) : failure;

    private static FetchCompletion Both(ObjectLookup lookup) => new(lookup, lookup);

    /// <summary>The normalised Accept-Encoding a variant's key holds (<c>br</c>, <c>gzip</c>), or null.</summary>
    private static string? AcceptedEncoding(string variant)
    {
        foreach (var (name, value) in EdgeKeys.VariantHeaders(variant))
        {
            if (name == OriginProfile.AcceptEncoding)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>What the viewer that started a fetch gets, and what the viewers that joined it get.</summary>
    /// <remarks><see cref="ForJoiners"/> is null when the response may not be shared with later viewers: they fetch anew.</remarks>
    private sealed record FetchCompletion(ObjectLookup ForInitiator, ObjectLookup? ForJoiners);
}

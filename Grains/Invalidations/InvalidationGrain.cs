using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Placement;
using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Hosting;
using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Tags;
using OrleansEdge.Grains.Interfaces.Retries;

namespace OrleansEdge.Grains.Invalidations;

/// <summary>
/// Runs one invalidation: every item is its own operation, all started at once, each retried until it has
/// reached every matching object. The request is durable and the log holds the status, so an invalidation cut off
/// by a crash resumes when its grain is next activated (the log's reminder sees to that).
/// </summary>
/// <remarks>
/// Reentrant so that status reads and waits are answered while the items run; only the run writes state.
/// Placed at random, so concurrent invalidations spread their work over the silos.
/// </remarks>
[Reentrant]
[RandomPlacement]
internal sealed partial class InvalidationGrain(
    [PersistentState("invalidation", EdgeStorage.Name)] IPersistentState<InvalidationState> state,
    ObjectFanOut fanOut,
    TimeProvider time,
    GrainMetrics metrics,
    ILogger<InvalidationGrain> logger) : Grain, IInvalidationGrain
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan GatewayCallTimeout = TimeSpan.FromSeconds(5);
    private Task? _run;

    /// <summary>The record as callers see it: the request, and the status the log holds. Null: no such invalidation.</summary>
    private InvalidationRecord? _record;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Request is not { } request)
        {
            return;
        }

        // The log holds the status; an invalidation it no longer lists was trimmed from it long after completing.
        var progress = await Log(request).StatusAsync(state.State.Id)
            ?? new InvalidationProgress(InvalidationStatus.Completed, Completed: null, ObjectsInvalidated: 0);
        _record = RecordOf(request, progress);
        if (progress.Status == InvalidationStatus.InProgress)
        {
            LogResuming(logger, state.State.Id);
            _run = RunAsync(resumed: true);
        }
    }

    async Task<InvalidationRecord> IInvalidationGrain.StartAsync(InvalidationRequest request, string id, DateTimeOffset created)
    {
        if (_record is { } existing)
        {
            return existing;
        }

        state.State.Request = request;
        state.State.Id = id;
        state.State.Created = created;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not recorded, so not started: a later activation must not find a half-made record in memory.
            state.State.Request = null;
            throw;
        }

        _record = RecordOf(request, new InvalidationProgress(InvalidationStatus.InProgress, Completed: null, ObjectsInvalidated: 0));
        _run = RunAsync(resumed: false);
        return _record;
    }

    Task<InvalidationRecord?> IInvalidationGrain.GetAsync() => Task.FromResult(_record);

    async Task<InvalidationRecord?> IInvalidationGrain.WaitForCompletionAsync(TimeSpan maxWait)
    {
        if (_run is { IsCompleted: false } run)
        {
            try
            {
                await run.WaitAsync(maxWait, time);
            }
            catch (TimeoutException)
            {
                // Still running: the caller asks again.
            }
        }

        return _record;
    }

    private InvalidationRecord RecordOf(InvalidationRequest request, InvalidationProgress progress) => new()
    {
        Id = state.State.Id,
        Distribution = request.Distribution,
        Tenant = request.Tenant,
        CallerReference = request.CallerReference,
        Paths = request.Paths,
        Status = progress.Status,
        Created = state.State.Created,
        Completed = progress.Completed,
        ObjectsInvalidated = progress.ObjectsInvalidated,
        Soft = request.Soft,
    };

    private IInvalidationLogGrain Log(InvalidationRequest request) => GrainFactory.GetGrain<IInvalidationLogGrain>(request.Distribution);

    private async Task RunAsync(bool resumed)
    {
        var request = state.State.Request!;
        var record = _record!;
        using var activity = GrainMetrics.Source.StartActivity("invalidation");
        activity?.SetTag("orleansedge.invalidation.id", record.Id);
        activity?.SetTag("orleansedge.distribution", request.Distribution);
        activity?.SetTag("orleansedge.items", request.Items.Length);
        var kinds = request.Items.Select(static i => i.Kind.ToString().ToLowerInvariant()).ToArray();
        metrics.RecordInvalidationStarted(request.Distribution, kinds, accepted: !resumed);
        var stamp = new InvalidationStamp(record.Created, request.Soft);
        var scope = EdgeKeys.Scope(request.Distribution, request.Tenant);

        // Gateways hear of it while the grains do: a gateway that has the notice refuses any copy it covers,
        // even one fetched from a grain not yet reached. Only a gateway that registers during the run misses
        // it, so once no grain holds a matching copy the list is read again and those are told too.
        var notice = new InvalidationNotice { InvalidationId = record.Id, Scope = scope, Items = request.Items, TagHeader = request.TagHeader, Stamp = stamp };
        var notified = new HashSet<Guid>();
        var gatewaysTold = UntilDoneAsync(() => NotifyGatewaysAsync(notice, notified), record.Id);

        // Each tag is run by its own grain; paths and wildcards go to every silo together, in one notice.
        var items = new List<Task<int>>();
        var byKey = new List<InvalidationItem>();
        foreach (var item in request.Items)
        {
            if (item.Kind != InvalidationItemKind.Tag)
            {
                byKey.Add(item);
            }
            else if (request.TagHeader is { } header)
            {
                // Tags are looked up under the header configured now; objects tagged under an older header are not reached.
                var tag = GrainFactory.GetGrain<ITagGrain>(EdgeKeys.Tag(request.Distribution, request.Tenant, header, item.Value));
                items.Add(UntilDoneAsync(() => tag.InvalidateAsync(stamp, record.Id), record.Id));
            }
        }

        if (byKey.Count > 0)
        {
            var keyNotice = notice with { Items = [.. byKey] };
            items.Add(UntilDoneAsync(() => fanOut.BroadcastAsync(keyNotice), record.Id));
        }

        var invalidated = 0;
        foreach (var count in await Task.WhenAll(items))
        {
            invalidated += count;
        }

        await gatewaysTold;
        await UntilDoneAsync(() => NotifyGatewaysAsync(notice, notified), record.Id);

        // Complete once the log says so, and not before: it is what every list and every later activation reads.
        var completed = time.GetUtcNow();
        await UntilDoneAsync(async () =>
        {
            await Log(request).CompletedAsync(record.Id, completed, invalidated);
            return 0;
        }, record.Id);
        _record = RecordOf(request, new InvalidationProgress(InvalidationStatus.Completed, completed, invalidated));
        metrics.RecordInvalidationCompleted(request.Distribution, kinds, invalidated, completed - record.Created);
        activity?.SetTag("orleansedge.objects", invalidated);
        LogCompleted(logger, record.Id, request.Distribution, Describe(request.Items), invalidated, (completed - record.Created).TotalMilliseconds);
    }

    /// <summary>
    /// Waits until every gateway whose lease runs, and that is not in <paramref name="notified"/> yet, has
    /// dropped its copies; one that lets its lease lapse stops serving anyway.
    /// </summary>
    private async Task<int> NotifyGatewaysAsync(InvalidationNotice notice, HashSet<Guid> notified)
    {
        var registry = GrainFactory.GetGrain<IGatewayRegistryGrain>(IGatewayRegistryGrain.Key);
        var leases = await registry.LiveAsync();
        await Task.WhenAll(leases.Where(lease => !notified.Contains(lease.GatewayId)).Select(lease => NotifyAsync(registry, lease, notice, notified)));
        return leases.Length;
    }

    private async Task NotifyAsync(IGatewayRegistryGrain registry, GatewayLease lease, InvalidationNotice notice, HashSet<Guid> notified)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await lease.Observer.ApplyAsync(notice).WaitAsync(GatewayCallTimeout);
                notified.Add(lease.GatewayId);
                return;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                if (!await registry.IsLiveAsync(lease.GatewayId))
                {
                    return;
                }

                LogGatewayUnreachable(logger, exception, notice.InvalidationId, lease.GatewayId, attempt);
                await Task.Delay(RetryBackoff.Delay(attempt, TimeSpan.FromSeconds(1)), time);
            }
        }
    }

    /// <summary>An invalidation is never dropped: a failed step is retried, with a capped backoff, until it succeeds.</summary>
    private async Task<int> UntilDoneAsync(Func<Task<int>> step, string id)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await step();
            }
            catch (Exception exception)
            {
                var delay = RetryBackoff.Delay(attempt, MaxRetryDelay);
                LogStepFailed(logger, exception, id, attempt, delay.TotalMilliseconds);
                await Task.Delay(delay, time);
            }
        }
    }

    /// <summary>The items as the API takes them (<c>#tag</c>, <c>/path</c>), the first few of a large batch.</summary>
    private static string Describe(IReadOnlyList<InvalidationItem> items)
    {
        const int Shown = 10;
        var described = string.Join(" ", items.Take(Shown).Select(static i => i.Kind == InvalidationItemKind.Tag ? "#" + i.Value : i.Value));
        return items.Count > Shown ? $"{described} … and {items.Count - Shown} more" : described;
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Invalidation {Id} of {Distribution} completed: {Items}; {Objects} objects invalidated, propagated in {PropagationMs} ms")]
    private static partial void LogCompleted(ILogger logger, string id, string distribution, string items, int objects, double propagationMs);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Invalidation {Id} step failed (attempt {Attempt}); retrying in {DelayMs} ms")]
    private static partial void LogStepFailed(ILogger logger, Exception exception, string id, int attempt, double delayMs);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Invalidation {Id} could not reach gateway {Gateway} (attempt {Attempt}); its lease still runs, retrying")]
    private static partial void LogGatewayUnreachable(ILogger logger, Exception exception, string id, Guid gateway, int attempt);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Resuming invalidation {Id}, cut off before it completed")]
    private static partial void LogResuming(ILogger logger, string id);
}

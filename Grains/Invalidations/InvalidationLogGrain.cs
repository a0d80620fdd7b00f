using System.Security.Cryptography;
using System.Text;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;

namespace OrleansEdge.Grains.Invalidations;

/// <summary>
/// One distribution's invalidations and the only holder of their status. Not reentrant: creations are serialised,
/// which is what makes the caller-reference check and the in-progress limits exact.
/// </summary>
/// <remarks>
/// While any invalidation is in progress, a reminder wakes this log every <see cref="ResumePeriod"/>, and the log wakes
/// each such record: a run cut off by a silo's death or a whole cluster's restart goes on by itself, whoever asks.
/// The reminder lives in the cluster's reminder table (Redis in cluster mode), so it outlives any silo.
/// </remarks>
internal sealed class InvalidationLogGrain(IInvalidationLogStore store, TimeProvider time) : Grain, IInvalidationLogGrain, IRemindable
{
    /// <summary>How often an in-progress run cut off by a failure is woken; well inside a purge's timeout.</summary>
    public static readonly TimeSpan ResumePeriod = TimeSpan.FromSeconds(10);

    private const string ResumeReminder = "resume";

    private IGrainReminder? _resume;

    /// <summary>
    /// Entries kept for listing and caller-reference checks; the records themselves live in their own grains and
    /// stay readable by id. Each change writes one entry, so a longer log costs memory here, not time per write.
    /// </summary>
    private const int RetainedEntries = 1000;

    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>Oldest first.</summary>
    private List<InvalidationLogEntry> Entries { get; set; } = [];

    private string Distribution => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var entries = await store.LoadAsync(Distribution);
        entries.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        Entries = entries;
        try
        {
            _resume = await this.GetReminder(ResumeReminder);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Unknown is as good as absent: the next creation registers it (registering is idempotent).
            _resume = null;
        }
    }

    async Task<InvalidationCreation> IInvalidationLogGrain.CreateAsync(InvalidationRequest request, InvalidationLimits limits)
    {
        var hash = BatchHash(request);
        var previous = Entries.FindLast(e => e.Tenant == request.Tenant && e.CallerReference == request.CallerReference);
        if (previous is not null)
        {
            return previous.BatchHash == hash
                ? new InvalidationCreation(await Record(previous.Id, request.Tenant).GetAsync(), Repeated: true)
                : new InvalidationCreation(null, InvalidationRejection.BatchAlreadyExists);
        }

        var wildcards = request.Items.Count(i => i.Kind == InvalidationItemKind.Prefix);
        var paths = request.Items.Length - wildcards;
        var inProgress = Entries.Where(e => e.Status == InvalidationStatus.InProgress).ToList();
        if (inProgress.Sum(e => e.Paths) + paths > limits.MaxPathsInProgress
            || inProgress.Sum(e => e.Wildcards) + wildcards > limits.MaxWildcardsInProgress)
        {
            return new InvalidationCreation(null, InvalidationRejection.TooManyInProgress);
        }

        // Before anything is recorded: an invalidation is never left in progress with nothing to wake it.
        _resume ??= await RegisterResumeReminderAsync();

        var entry = new InvalidationLogEntry
        {
            Id = NewId(),
            Sequence = Entries.Count == 0 ? 1 : Entries[^1].Sequence + 1,
            Tenant = request.Tenant,
            CallerReference = request.CallerReference,
            BatchHash = hash,
            Created = time.GetUtcNow(),
            Status = InvalidationStatus.InProgress,
            Paths = paths,
            Wildcards = wildcards,
        };
        Entries.Add(entry);
        var trimmed = Trim();

        // The log and the record are written side by side, one round trip to storage before the answer. Should
        // the log's write fail after the record started, the caller is told of the failure and the invalidation
        // runs anyway: at worst a retry invalidates twice, never not at all.
        var logged = Task.WhenAll(store.WriteAsync(Distribution, entry), store.RemoveAsync(Distribution, trimmed));
        var started = Record(entry.Id, entry.Tenant).StartAsync(request, entry.Id, entry.Created);
        try
        {
            await Task.WhenAll(logged, started);
            return new InvalidationCreation(await started);
        }
        catch
        {
            Entries.Remove(entry);
            await store.RemoveAsync(Distribution, [entry.Id]);
            throw;
        }
    }

    Task<InvalidationPage> IInvalidationLogGrain.ListAsync(string tenant, string? marker, int maxItems)
    {
        var page = new List<InvalidationSummary>();
        var skipping = !string.IsNullOrEmpty(marker);
        var truncated = false;
        for (var i = Entries.Count - 1; i >= 0; i--)
        {
            var entry = Entries[i];
            if (entry.Tenant != tenant)
            {
                continue;
            }

            if (skipping)
            {
                skipping = entry.Id != marker;
                continue;
            }

            if (page.Count == maxItems)
            {
                truncated = true;
                break;
            }

            page.Add(new InvalidationSummary(entry.Id, entry.Created, entry.Status));
        }

        return Task.FromResult(new InvalidationPage([.. page], truncated, truncated && page.Count > 0 ? page[^1].Id : null));
    }

    async Task IInvalidationLogGrain.CompletedAsync(string id, DateTimeOffset completed, int objectsInvalidated)
    {
        var index = Entries.FindIndex(e => e.Id == id);
        if (index < 0 || Entries[index].Status != InvalidationStatus.InProgress)
        {
            return;
        }

        // Written before it is believed: should the write fail, the entry stays in progress here as in storage, and
        // the invalidation, which retries until this returns, reports again.
        var entry = Entries[index] with { Status = InvalidationStatus.Completed, Completed = completed, ObjectsInvalidated = objectsInvalidated };
        await store.WriteAsync(Distribution, entry);
        Entries[index] = entry;
        await store.RemoveAsync(Distribution, Trim());
    }

    Task<InvalidationProgress?> IInvalidationLogGrain.StatusAsync(string id) =>
        Task.FromResult(Entries.Find(e => e.Id == id) is { } entry
            ? new InvalidationProgress(entry.Status, entry.Completed, entry.ObjectsInvalidated)
            : (InvalidationProgress?)null);

    Task<PropagationSample[]> IInvalidationLogGrain.PropagationSinceAsync(DateTimeOffset since) =>
        Task.FromResult(Entries
            .Where(e => e.Created >= since && e.Completed is not null)
            .Select(static e => new PropagationSample(e.Created, e.Completed!.Value - e.Created))
            .ToArray());

    async Task IRemindable.ReceiveReminder(string reminderName, TickStatus status)
    {
        await ResumeAsync();
        if (_resume is not null && !Entries.Exists(static e => e.Status == InvalidationStatus.InProgress))
        {
            // Nothing left to wake; the next creation registers it again. Should the table be unreachable, the
            // reminder simply fires once more.
            try
            {
                await this.UnregisterReminder(_resume);
                _resume = null;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
            }
        }
    }

    /// <summary>
    /// The reminder table is storage (Redis in cluster mode) like the log's: its failures reach callers as
    /// <see cref="OrleansException"/>, which both front ends wait out or answer 503, never as a 500.
    /// </summary>
    private async Task<IGrainReminder> RegisterResumeReminderAsync()
    {
        try
        {
            return await this.RegisterOrUpdateReminder(ResumeReminder, ResumePeriod, ResumePeriod);
        }
        catch (Exception exception) when (exception is not OrleansException)
        {
            throw new OrleansException($"The reminder table is unavailable: {exception.GetType().Name}: {exception.Message}");
        }
    }

    /// <summary>
    /// Wakes every invalidation still in progress, so that one cut off by a crash runs to the end: its grain, activated
    /// again, reads its status here and resumes; once done it says so here. Nothing is read back from it.
    /// </summary>
    private async Task ResumeAsync()
    {
        foreach (var entry in Entries.Where(e => e.Status == InvalidationStatus.InProgress).ToList())
        {
            // A record that was never written was never started.
            if (await Record(entry.Id, entry.Tenant).GetAsync() is null)
            {
                Entries.Remove(entry);
                await store.RemoveAsync(Distribution, [entry.Id]);
            }
        }
    }

    private IInvalidationGrain Record(string id, string tenant) =>
        GrainFactory.GetGrain<IInvalidationGrain>(EdgeKeys.Invalidation(this.GetPrimaryKeyString(), tenant, id));

    /// <summary>Drops the oldest completed entries beyond the retained count; returns their ids, to remove from the store.</summary>
    private List<string> Trim()
    {
        var removed = new List<string>();
        for (var i = 0; Entries.Count > RetainedEntries && i < Entries.Count;)
        {
            if (Entries[i].Status == InvalidationStatus.Completed)
            {
                removed.Add(Entries[i].Id);
                Entries.RemoveAt(i);
            }
            else
            {
                i++;
            }
        }

        return removed;
    }

    /// <summary>CloudFront-style id: "I" and 13 upper-case letters and digits.</summary>
    private static string NewId() => string.Create(14, 0, static (chars, _) =>
    {
        chars[0] = 'I';
        for (var i = 1; i < chars.Length; i++)
        {
            chars[i] = IdAlphabet[RandomNumberGenerator.GetInt32(IdAlphabet.Length)];
        }
    });

    private static string BatchHash(InvalidationRequest request)
    {
        var paths = request.Paths.Order(StringComparer.Ordinal);
        var text = string.Join('\n', paths) + (request.Soft ? "\nsoft" : "");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

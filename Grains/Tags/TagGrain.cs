using System.Globalization;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Placement;
using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Hosting;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Interfaces.Tags;
using OrleansEdge.Grains.Invalidations;

namespace OrleansEdge.Grains.Tags;

/// <summary>Tracks the objects carrying one tag and invalidates them on demand.</summary>
/// <remarks>
/// Reentrant so that objects can keep joining while a large fan-out is under way. That is safe because
/// <see cref="InvalidateAsync"/> records the stamp and picks its targets in one synchronous step: a join
/// after that step sees the stamp and gets its verdict, and a join before it is in the fan-out. In cluster
/// mode every membership and stamp is written to <see cref="IDurableIndex"/> before it is acknowledged, so a
/// silo death loses none of them.
/// </remarks>
[Reentrant]
[RandomPlacement]
internal sealed class TagGrain(IDurableIndex index, TimeProvider time, GrainMetrics metrics, ILogger<TagGrain> logger) : Grain, ITagGrain
{
    /// <summary>How long an invalidation is remembered with no members left: longer than any fetch can last.</summary>
    private static readonly TimeSpan InvalidationMemory = 2 * OriginProfile.MaxResponseTimeout;

    // Object keys begin with a distribution id, never with '!': these fields cannot collide with members.
    private const string HardField = "!hard";
    private const string SoftField = "!soft";

    // Member key → start of the fetch with which it joined. Only members fetched before an invalidation are touched by it.
    private readonly Dictionary<string, DateTimeOffset> _members = new(StringComparer.Ordinal);
    private string _key = "";
    private string _tag = "";
    private DateTimeOffset _lastHard = DateTimeOffset.MinValue;
    private DateTimeOffset _lastSoft = DateTimeOffset.MinValue;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Key: "{distribution} {tenant} {header} {tag}"; a tag has no spaces.
        _key = this.GetPrimaryKeyString();
        _tag = _key[(_key.LastIndexOf(' ') + 1)..];
        foreach (var (field, value) in await index.LoadAsync(_key))
        {
            var moment = new DateTimeOffset(long.Parse(value, CultureInfo.InvariantCulture), TimeSpan.Zero);
            switch (field)
            {
                case HardField:
                    _lastHard = moment;
                    break;
                case SoftField:
                    _lastSoft = moment;
                    break;
                default:
                    _members[field] = moment;
                    break;
            }
        }

        metrics.RecordMemberships(0, _members.Count);
        KeepAlive();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.RecordMemberships(_members.Count, 0);
        return Task.CompletedTask;
    }

    async Task<TagJoinVerdict> ITagGrain.JoinAsync(string objectKey, DateTimeOffset fetchStarted)
    {
        if (!_members.TryGetValue(objectKey, out var joined) || joined < fetchStarted)
        {
            var before = _members.Count;
            _members[objectKey] = fetchStarted;
            metrics.RecordMemberships(before, _members.Count);
            KeepAlive();
            await index.SetAsync(_key, objectKey, Ticks(fetchStarted));
        }

        // Read after the write: an invalidation that interleaved with it is reflected here too.
        return _lastHard > fetchStarted ? TagJoinVerdict.InvalidatedHard
            : _lastSoft > fetchStarted ? TagJoinVerdict.InvalidatedSoft
            : TagJoinVerdict.Current;
    }

    async Task ITagGrain.LeaveAsync(string objectKey, DateTimeOffset fetchStarted)
    {
        if (_members.TryGetValue(objectKey, out var joined) && joined <= fetchStarted)
        {
            await ForgetAsync([(objectKey, joined)]);
        }
    }

    public async Task<int> InvalidateAsync(InvalidationStamp stamp)
    {
        using var activity = EdgeTelemetry.Source.StartActivity("invalidate tag");
        var targets = new List<(string Key, DateTimeOffset Joined)>();
        foreach (var (key, joined) in _members)
        {
            if (stamp.Covers(joined))
            {
                targets.Add((key, joined));
            }
        }

        if (stamp.Soft)
        {
            _lastSoft = Latest(_lastSoft, stamp.Created);
            await index.SetAsync(_key, SoftField, Ticks(_lastSoft));
        }
        else
        {
            _lastHard = Latest(_lastHard, stamp.Created);
            await index.SetAsync(_key, HardField, Ticks(_lastHard));
        }

        KeepAlive();
        activity?.SetTag("orleansedge.members", targets.Count);
        var result = await ObjectFanOut.InvalidateAsync(GrainFactory, targets.ConvertAll(t => t.Key), stamp, _tag, logger);

        // Only now, with every copy gone, does the membership go: a silo death during the fan-out leaves it
        // for the retry. A soft invalidation leaves stale copies that a later hard one must still reach.
        var forget = stamp.Soft ? [] : targets;
        foreach (var key in result.NotTagged ?? [])
        {
            if (_members.TryGetValue(key, out var joined))
            {
                forget.Add((key, joined));
            }
        }

        await ForgetAsync(forget);
        return result.Invalidated;
    }

    /// <summary>Removes members, unless one joined again (with a newer fetch) since it was read.</summary>
    private async Task ForgetAsync(List<(string Key, DateTimeOffset Joined)> members)
    {
        var removed = new List<string>();
        var before = _members.Count;
        foreach (var (key, joined) in members)
        {
            if (_members.TryGetValue(key, out var current) && current == joined && _members.Remove(key))
            {
                removed.Add(key);
            }
        }

        metrics.RecordMemberships(before, _members.Count);
        KeepAlive();
        await index.RemoveAsync(_key, removed);
    }

    /// <summary>
    /// This grain's memory is the membership and the last invalidations: idle collection must not take it
    /// while objects depend on it, nor while a fetch started before the last invalidation may still join.
    /// </summary>
    private void KeepAlive()
    {
        if (_members.Count > 0)
        {
            DelayDeactivation(Timeout.InfiniteTimeSpan);
            return;
        }

        var remembered = Latest(_lastHard, _lastSoft) + InvalidationMemory - time.GetUtcNow();
        DelayDeactivation(remembered > TimeSpan.Zero ? remembered : TimeSpan.Zero);
    }

    private static string Ticks(DateTimeOffset moment) => moment.UtcTicks.ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset Latest(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Placement;
using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Interfaces.Tags;
using OrleansEdge.Grains.Invalidations;

namespace OrleansEdge.Grains.Tags;

/// <summary>Tracks the objects carrying one tag and invalidates them on demand.</summary>
/// <remarks>
/// Reentrant so that objects can keep joining while a large fan-out is under way. That is safe because
/// <see cref="InvalidateAsync"/> records the stamp and takes its members in one synchronous step: a join
/// after that step sees the stamp and gets its verdict, and a join before it is in the fan-out.
/// </remarks>
[Reentrant]
[RandomPlacement]
internal sealed class TagGrain(TimeProvider time, GrainMetrics metrics, ILogger<TagGrain> logger) : Grain, ITagGrain
{
    /// <summary>How long an invalidation is remembered with no members left: longer than any fetch can last.</summary>
    private static readonly TimeSpan InvalidationMemory = 2 * OriginProfile.MaxResponseTimeout;

    // Member key → start of the fetch with which it joined. Only members fetched before an invalidation are touched by it.
    private readonly Dictionary<string, DateTimeOffset> _members = new(StringComparer.Ordinal);
    private string _tag = "";
    private DateTimeOffset _lastHard = DateTimeOffset.MinValue;
    private DateTimeOffset _lastSoft = DateTimeOffset.MinValue;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Key: "{distribution} {tenant} {header} {tag}"; a tag has no spaces.
        var key = this.GetPrimaryKeyString();
        _tag = key[(key.LastIndexOf(' ') + 1)..];
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        metrics.RecordMemberships(_members.Count, 0);
        return Task.CompletedTask;
    }

    Task<TagJoinVerdict> ITagGrain.JoinAsync(string objectKey, DateTimeOffset fetchStarted)
    {
        var before = _members.Count;
        if (!_members.TryGetValue(objectKey, out var joined) || joined < fetchStarted)
        {
            _members[objectKey] = fetchStarted;
        }

        metrics.RecordMemberships(before, _members.Count);

        var verdict = _lastHard > fetchStarted ? TagJoinVerdict.InvalidatedHard
            : _lastSoft > fetchStarted ? TagJoinVerdict.InvalidatedSoft
            : TagJoinVerdict.Current;
        KeepAlive();
        return Task.FromResult(verdict);
    }

    Task ITagGrain.LeaveAsync(string objectKey, DateTimeOffset fetchStarted)
    {
        if (_members.TryGetValue(objectKey, out var joined) && joined <= fetchStarted)
        {
            _members.Remove(objectKey);
            metrics.RecordMemberships(_members.Count + 1, _members.Count);
            KeepAlive();
        }

        return Task.CompletedTask;
    }

    public async Task<int> InvalidateAsync(InvalidationStamp stamp)
    {
        using var activity = EdgeTelemetry.Source.StartActivity("invalidate tag");
        var before = _members.Count;
        if (stamp.Soft)
        {
            _lastSoft = Latest(_lastSoft, stamp.Created);
        }
        else
        {
            _lastHard = Latest(_lastHard, stamp.Created);
        }

        var targets = new List<string>();
        foreach (var (key, joined) in _members)
        {
            if (stamp.Covers(joined))
            {
                targets.Add(key);
            }
        }

        // A hard invalidation removes the copies, so their membership goes too; a soft one leaves stale
        // copies that a later hard invalidation of this tag must still reach.
        if (!stamp.Soft)
        {
            foreach (var key in targets)
            {
                _members.Remove(key);
            }
        }

        KeepAlive();
        activity?.SetTag("orleansedge.members", targets.Count);

        try
        {
            var result = await ObjectFanOut.InvalidateAsync(GrainFactory, targets, stamp, _tag, logger);
            foreach (var key in result.NotTagged ?? [])
            {
                _members.Remove(key);
            }

            return result.Invalidated;
        }
        catch
        {
            // Keep them so that the retried invalidation finds them again.
            foreach (var key in targets)
            {
                _members.TryAdd(key, DateTimeOffset.MinValue);
            }

            throw;
        }
        finally
        {
            metrics.RecordMemberships(before, _members.Count);
        }
    }

    /// <summary>
    /// This grain's memory is the membership and the last invalidations, and it lives nowhere else: idle
    /// collection must not take it while objects depend on it, nor while a fetch started before the last
    /// invalidation may still come to join.
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

    private static DateTimeOffset Latest(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

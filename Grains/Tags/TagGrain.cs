using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Placement;
using OrleansEdge.Grains.Interfaces.Invalidations;
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
internal sealed class TagGrain(ILogger<TagGrain> logger) : Grain, ITagGrain
{
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

    Task<TagJoinVerdict> ITagGrain.JoinAsync(string objectKey, DateTimeOffset fetchStarted)
    {
        if (!_members.TryGetValue(objectKey, out var joined) || joined < fetchStarted)
        {
            _members[objectKey] = fetchStarted;
        }

        var verdict = _lastHard > fetchStarted ? TagJoinVerdict.InvalidatedHard
            : _lastSoft > fetchStarted ? TagJoinVerdict.InvalidatedSoft
            : TagJoinVerdict.Current;
        return Task.FromResult(verdict);
    }

    Task ITagGrain.LeaveAsync(string objectKey, DateTimeOffset fetchStarted)
    {
        if (_members.TryGetValue(objectKey, out var joined) && joined <= fetchStarted)
        {
            _members.Remove(objectKey);
        }

        return Task.CompletedTask;
    }

    public async Task<int> InvalidateAsync(InvalidationStamp stamp)
    {
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
    }

    private static DateTimeOffset Latest(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

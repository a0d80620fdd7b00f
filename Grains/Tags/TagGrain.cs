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
internal sealed partial class TagGrain(
    IDurableIndex index, ObjectFanOut fanOut, TimeProvider time, GrainMetrics metrics, ILogger<TagGrain> logger) : Grain, ITagGrain
{
    /// <summary>How long an invalidation is remembered with no members left: longer than any fetch can last.</summary>
    private static readonly TimeSpan InvalidationMemory = 2 * OriginProfile.MaxResponseTimeout;

    // Object keys begin with a distribution id, never with '!': these fields cannot collide with members.
    private const string HardField = "!hard";
    private const string SoftField = "!soft";

    // Member key → start of the fetch with which it joined, and its silo then. Only members fetched before an
    // invalidation are touched by it; the silo lets the fan-out send one batch per silo.
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
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
            var member = Member.Decode(value);
            switch (field)
            {
                case HardField:
                    _lastHard = member.Joined;
                    break;
                case SoftField:
                    _lastSoft = member.Joined;
                    break;
                default:
                    _members[field] = member;
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

    async Task<TagJoinVerdict> ITagGrain.JoinAsync(string objectKey, DateTimeOffset fetchStarted, SiloAddress silo)
    {
        if (!_members.TryGetValue(objectKey, out var member) || member.Joined < fetchStarted)
        {
            var before = _members.Count;
            member = new Member(fetchStarted, silo);
            _members[objectKey] = member;
            metrics.RecordMemberships(before, _members.Count);
            KeepAlive();
            await index.SetAsync(_key, objectKey, member.Encode());
        }

        // Read after the write: an invalidation that interleaved with it is reflected here too.
        return _lastHard > fetchStarted ? TagJoinVerdict.InvalidatedHard
            : _lastSoft > fetchStarted ? TagJoinVerdict.InvalidatedSoft
            : TagJoinVerdict.Current;
    }

    async Task ITagGrain.LeaveAsync(string objectKey, DateTimeOffset fetchStarted)
    {
        if (_members.TryGetValue(objectKey, out var member) && member.Joined <= fetchStarted)
        {
            await ForgetAsync([(objectKey, member.Joined)]);
        }
    }

    public async Task<int> InvalidateAsync(InvalidationStamp stamp)
    {
        using var activity = EdgeTelemetry.Source.StartActivity("invalidate tag");
        var targets = new List<FanOutTarget>();
        var joinedAt = new List<(string Key, DateTimeOffset Joined)>();
        foreach (var (key, member) in _members)
        {
            if (stamp.Covers(member.Joined))
            {
                targets.Add(new FanOutTarget(key, member.Silo));
                joinedAt.Add((key, member.Joined));
            }
        }

        // The stamp is in memory from here on, so joins see it; its write to the index travels while the
        // fan-out runs. A silo death before both finish leaves the invalidation in progress, and its rerun
        // writes the stamp again and reaches every member that joined meanwhile.
        string stampField;
        if (stamp.Soft)
        {
            _lastSoft = Latest(_lastSoft, stamp.Created);
            stampField = SoftField;
        }
        else
        {
            _lastHard = Latest(_lastHard, stamp.Created);
            stampField = HardField;
        }

        var stampWritten = index.SetAsync(_key, stampField, new Member(stamp.Soft ? _lastSoft : _lastHard, null).Encode());
        KeepAlive();
        activity?.SetTag("orleansedge.members", targets.Count);
        var fannedOut = fanOut.InvalidateAsync(targets, stamp, _tag);
        await Task.WhenAll(stampWritten, fannedOut);
        var result = await fannedOut;

        // Only now, with every copy gone, does the membership go: a silo death during the fan-out leaves it
        // for the retry. A soft invalidation leaves stale copies that a later hard one must still reach.
        var forget = stamp.Soft ? [] : joinedAt;
        foreach (var key in result.NotTagged ?? [])
        {
            if (_members.TryGetValue(key, out var member))
            {
                forget.Add((key, member.Joined));
            }
        }

        // The invalidation is done once the copies are gone: the members leave memory now, and their removal
        // from the index is not waited for. Should it be lost and this grain reload, a later invalidation
        // reaches them once more, which changes nothing, and forgets them then.
        _ = ForgetLaterAsync(forget);
        return result.Invalidated;
    }

    private async Task ForgetLaterAsync(List<(string Key, DateTimeOffset Joined)> members)
    {
        try
        {
            await ForgetAsync(members);
        }
        catch (Exception exception)
        {
            LogForgetFailed(logger, exception, _key, members.Count);
        }
    }

    /// <summary>Removes members, unless one joined again (with a newer fetch) since it was read.</summary>
    private async Task ForgetAsync(List<(string Key, DateTimeOffset Joined)> members)
    {
        var removed = new List<string>();
        var before = _members.Count;
        foreach (var (key, joined) in members)
        {
            if (_members.TryGetValue(key, out var current) && current.Joined == joined && _members.Remove(key))
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

    private static DateTimeOffset Latest(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Tag {Tag} could not remove {Count} invalidated members from its durable index; a later invalidation will")]
    private static partial void LogForgetFailed(ILogger logger, Exception exception, string tag, int count);

    /// <summary>A member as the index stores it: its fetch start in ticks, with its silo (stamps have none).</summary>
    private readonly record struct Member(DateTimeOffset Joined, SiloAddress? Silo)
    {
        public string Encode() => SiloHint.Append(Joined.UtcTicks.ToString(CultureInfo.InvariantCulture), Silo);

        public static Member Decode(string stored)
        {
            var (ticks, silo) = SiloHint.Split(stored);
            return new Member(new DateTimeOffset(long.Parse(ticks, CultureInfo.InvariantCulture), TimeSpan.Zero), silo);
        }
    }
}

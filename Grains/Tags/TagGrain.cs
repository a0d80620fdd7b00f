using Orleans.Concurrency;
using Orleans.Placement;
using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Tags;
using OrleansEdge.Grains.Invalidations;

namespace OrleansEdge.Grains.Tags;

/// <summary>Runs the invalidations of one tag: every silo is told, and each invalidates its members of the tag.</summary>
/// <remarks>
/// The members themselves are tracked by the silos that host them (<see cref="Objects.SiloObjectStore"/>), so a
/// miss records its tags without a call here, and a tag costs nothing until it is invalidated. Invalidations of a
/// tag that arrive while one is being sent out ride on the next: a later stamp covers everything an earlier one
/// does, so a purge storm on a popular tag costs one round per silo at a time, not one per purge.
/// Reentrant, so that those invalidations can gather while the round is out.
/// </remarks>
[Reentrant]
[RandomPlacement]
internal sealed class TagGrain(ObjectFanOut fanOut) : Grain, ITagGrain
{
    private string _scope = "";
    private string _header = "";
    private string _tag = "";

    // The round being sent, and the one that gathers the invalidations that arrive meanwhile (one per hardness).
    private Task<int>? _sending;
    private readonly Dictionary<bool, Round> _next = [];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_scope, _header, _tag) = EdgeKeys.SplitTag(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    public Task<int> InvalidateAsync(InvalidationStamp stamp, string invalidationId)
    {
        if (!_next.TryGetValue(stamp.Soft, out var round))
        {
            _next[stamp.Soft] = round = new Round(stamp, invalidationId);
            round.Sent = SendAfterAsync(_sending, round);
            _sending = round.Sent;
        }
        else if (stamp.Created > round.Stamp.Created)
        {
            round.Stamp = stamp;
        }

        return round.Sent;
    }

    private async Task<int> SendAfterAsync(Task<int>? previous, Round round)
    {
        if (previous is not null)
        {
            try
            {
                await previous;
            }
            catch
            {
                // Its own callers retry it; this round goes out regardless.
            }
        }

        // From here on the round is closed: what arrives later waits for the next one.
        _next.Remove(round.Stamp.Soft);
        using var activity = GrainMetrics.Source.StartActivity("invalidate tag");
        var notice = new InvalidationNotice
        {
            InvalidationId = round.InvalidationId,
            Scope = _scope,
            Items = [new InvalidationItem(InvalidationItemKind.Tag, _tag)],
            TagHeader = _header,
            Stamp = round.Stamp,
        };
        var invalidated = await fanOut.BroadcastAsync(notice);
        activity?.SetTag("orleansedge.members", invalidated);
        return invalidated;
    }

    /// <summary>Invalidations of one hardness waiting to go out together, under the latest stamp among them.</summary>
    private sealed class Round(InvalidationStamp stamp, string invalidationId)
    {
        public InvalidationStamp Stamp { get; set; } = stamp;
        public string InvalidationId { get; } = invalidationId;
        public Task<int> Sent { get; set; } = Task.FromResult(0);
    }
}

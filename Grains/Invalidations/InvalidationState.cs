using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Grains.Invalidations;

/// <summary>
/// The durable part of one invalidation: what to do, written once when it starts. How far it got is not here: its
/// status belongs to the distribution's log (<see cref="InvalidationLogEntry"/>), which lists it and counts it against
/// the limits, and which the run tells, in one write, when it is done.
/// </summary>
[GenerateSerializer, Alias("edge.invalidation-state")]
internal sealed class InvalidationState
{
    [Id(0)] public InvalidationRequest? Request { get; set; }
    [Id(1)] public string Id { get; set; } = "";
    [Id(2)] public DateTimeOffset Created { get; set; }
}

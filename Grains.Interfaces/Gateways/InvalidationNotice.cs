using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Grains.Interfaces.Gateways;

/// <summary>An invalidation as gateways apply it to the copies they hold.</summary>
[GenerateSerializer, Immutable, Alias("edge.invalidation-notice")]
public sealed record InvalidationNotice
{
    [Id(0)] public required string InvalidationId { get; init; }

    /// <summary>The key prefix of the distribution tenant (<see cref="Keys.EdgeKeys.Scope"/>).</summary>
    [Id(1)] public required string Scope { get; init; }

    [Id(2)] public required InvalidationItem[] Items { get; init; }

    /// <summary>The tag header the tag items are looked up under; null when tags are disabled.</summary>
    [Id(3)] public string? TagHeader { get; init; }

    [Id(4)] public required InvalidationStamp Stamp { get; init; }
}

namespace OrleansEdge.Grains.Interfaces.Invalidations;

/// <summary>One parsed invalidation item.</summary>
/// <param name="Kind">Tag, exact path or prefix.</param>
/// <param name="Value">The normalised tag (lower case), request target, or target prefix without its <c>*</c>.</param>
[GenerateSerializer, Immutable, Alias("edge.invalidation-item")]
public sealed record InvalidationItem([property: Id(0)] InvalidationItemKind Kind, [property: Id(1)] string Value);

namespace OrleansEdge.Grains.Interfaces.Objects;

/// <summary>One response header with all its values, as the origin sent them.</summary>
[GenerateSerializer, Immutable, Alias("edge.header-field")]
public sealed record HeaderField([property: Id(0)] string Name, [property: Id(1)] string[] Values);

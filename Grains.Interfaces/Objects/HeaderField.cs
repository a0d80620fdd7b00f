namespace OrleansEdge.Grains.Interfaces.Objects;

/// <summary>One response header with all its values, as the origin sent them.</summary>
/// <remarks>A struct: a stored copy holds its headers inline in one array rather than as an object each.</remarks>
[GenerateSerializer, Immutable, Alias("edge.header-field")]
public readonly record struct HeaderField([property: Id(0)] string Name, [property: Id(1)] string[] Values);

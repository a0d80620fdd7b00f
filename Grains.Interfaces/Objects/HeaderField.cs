using Microsoft.Extensions.Primitives;

namespace OrleansEdge.Grains.Interfaces.Objects;

/// <summary>One response header with all its values, as the origin sent them.</summary>
/// <remarks>
/// A struct: a stored copy holds its headers inline in one array rather than as an object each. A header with one
/// value, which is nearly every header, keeps the string itself rather than an array around it: 32 bytes a header,
/// some 160 a cached object. Handed to Kestrel as <see cref="StringValues"/>, without allocating.
/// </remarks>
[GenerateSerializer, Immutable, Alias("edge.header-field")]
public readonly struct HeaderField
{
    public HeaderField(string name, string[] values)
    {
        Name = name;
        _values = values.Length == 1 ? values[0] : values;
    }

    [Id(0)] public readonly string Name;

    // A string, or a string[] of two or more.
    [Id(1)] private readonly object _values;

    public StringValues Values => _values is string one ? new StringValues(one) : new StringValues((string[])_values);
}

namespace OrleansEdge.Grains.Interfaces.Invalidations;

public enum InvalidationItemKind
{
    /// <summary><c>#tag</c>: every object carrying the tag.</summary>
    Tag,

    /// <summary><c>/path</c> or <c>/path?query</c>: exactly that object.</summary>
    Path,

    /// <summary><c>/prefix*</c>: every object whose path and query start with the prefix.</summary>
    Prefix,
}

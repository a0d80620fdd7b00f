namespace OrleansEdge.Grains.Interfaces.Objects;

/// <summary>How an object grain answered a lookup; the gateway turns it into X-Cache.</summary>
public enum LookupOutcome
{
    /// <summary>A fresh stored copy (or the result of another viewer's fetch of it).</summary>
    Hit,

    /// <summary>Fetched from the origin for this request.</summary>
    Miss,

    /// <summary>A stale copy the origin confirmed with 304.</summary>
    RefreshHit,

    /// <summary>The response may not be shared or stored (too large, private …): the gateway must go to the origin itself.</summary>
    Pass,

    /// <summary>The origin failed; <see cref="ObjectLookup.Response"/> is its 5xx answer or a stale copy, or null.</summary>
    Error,

    /// <summary>The fetch is still under way: ask again with <see cref="ObjectLookup.Ticket"/>.</summary>
    Pending,
}

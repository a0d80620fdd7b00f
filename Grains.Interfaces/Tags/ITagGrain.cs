using Orleans.Concurrency;
using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Grains.Interfaces.Tags;

/// <summary>One cache tag of one distribution tenant under one header name (key from <see cref="Keys.EdgeKeys.Tag"/>): it knows its member objects.</summary>
[Alias("edge.tag")]
public interface ITagGrain : IGrainWithStringKey
{
    /// <summary>
    /// Records an object, whose origin fetch started at <paramref name="fetchStarted"/> on <paramref name="silo"/>,
    /// as a member, and says whether the tag was invalidated after that moment (then the response must not be
    /// stored as fresh).
    /// </summary>
    [Alias("join")]
    Task<TagJoinVerdict> JoinAsync(string objectKey, DateTimeOffset fetchStarted, SiloAddress silo);

    /// <summary>Forgets an object, unless it joined again after <paramref name="fetchStarted"/>.</summary>
    [OneWay, Alias("leave")]
    Task LeaveAsync(string objectKey, DateTimeOffset fetchStarted);

    /// <summary>Invalidates every member fetched before the stamp; returns how many objects were affected.</summary>
    [Alias("invalidate")]
    Task<int> InvalidateAsync(InvalidationStamp stamp);
}

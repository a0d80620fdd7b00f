using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansEdge.Grains.Diagnostics;

/// <summary>The silo side of the OrleansEdge meter: origin fetches, tags and invalidations.</summary>
public sealed class GrainMetrics
{
    public const string MeterName = "OrleansEdge";

    private readonly Counter<long> _originFetches;
    private readonly Histogram<double> _originFetchDuration;
    private readonly Counter<long> _invalidTags;
    private readonly Counter<long> _objectsInvalidated;
    private readonly Counter<long> _invalidationsCompleted;
    private readonly Histogram<double> _propagation;

    public GrainMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _originFetches = meter.CreateCounter<long>("orleansedge.origin.fetches", "{fetch}", "Origin requests made by object grains, by result.");
        _originFetchDuration = meter.CreateHistogram<double>("orleansedge.origin.fetch.duration", "s", "Time to fetch an object from its origin.");
        _invalidTags = meter.CreateCounter<long>("orleansedge.tags.invalid", "{tag}", "Cache tags ignored because they break the tag rules or exceed 50 per object.");
        _objectsInvalidated = meter.CreateCounter<long>("orleansedge.invalidation.objects", "{object}", "Cached objects removed or marked stale by invalidations.");
        _invalidationsCompleted = meter.CreateCounter<long>("orleansedge.invalidations.completed", "{invalidation}", "Invalidations that reached Completed.");
        _propagation = meter.CreateHistogram<double>("orleansedge.invalidation.propagation.duration", "s",
            "Time from accepting an invalidation to the last matching object no longer being served.");
    }

    public void RecordOriginFetch(string result, long startedTimestamp)
    {
        var tags = new TagList { { "result", result } };
        _originFetches.Add(1, tags);
        if (_originFetchDuration.Enabled)
        {
            _originFetchDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
        }
    }

    public void RecordInvalidTags(int count)
    {
        if (count > 0)
        {
            _invalidTags.Add(count);
        }
    }

    public void RecordInvalidationCompleted(string distribution, int objects, TimeSpan propagation)
    {
        var tags = new TagList { { "distribution", distribution } };
        _objectsInvalidated.Add(objects, tags);
        _invalidationsCompleted.Add(1, tags);
        _propagation.Record(propagation.TotalSeconds, tags);
    }
}

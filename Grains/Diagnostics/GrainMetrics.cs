using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansEdge.Grains.Interfaces.Diagnostics;

namespace OrleansEdge.Grains.Diagnostics;

/// <summary>
/// The silo side of the OrleansEdge meter: origin fetches, what this silo holds, tags and invalidations.
/// Attributes are bounded (distribution, result, kind, reason): never a path, key or tag.
/// </summary>
public sealed class GrainMetrics
{
    /// <summary>Spans of the edge's own work (an invalidation and its fan-out); Orleans and ASP.NET Core add theirs.</summary>
    public static readonly ActivitySource Source = new(EdgeMeter.Name);

    /// <summary>Buckets from 1 ms to 30 s, dense enough that a P95 read from them is within a few percent.</summary>
    private static readonly InstrumentAdvice<double> PropagationBuckets = new()
    {
        HistogramBucketBoundaries = [0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 20, 30],
    };

    /// <summary>Buckets from 100 µs (an origin on the same host) to 30 s (the longest origin timeout).</summary>
    private static readonly InstrumentAdvice<double> FetchBuckets = new()
    {
        HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    };

    /// <summary>The <c>result</c> label of <c>orleansedge.origin.fetches</c>.</summary>
    public static class FetchResults
    {
        public const string Ok = "ok";
        public const string NotModified = "not_modified";
        public const string OriginError = "origin_error";
        public const string Timeout = "timeout";
        public const string Unreachable = "unreachable";
        public const string TooLarge = "too_large";
    }

    /// <summary>The <c>reason</c> label of <c>orleansedge.cache.evictions</c>.</summary>
    public static class EvictionReasons
    {
        public const string Idle = "idle";
        public const string Capacity = "capacity";
    }

    private readonly Counter<long> _originFetches;
    private readonly Histogram<double> _originFetchDuration;
    private readonly Counter<long> _originBytes;
    private readonly Counter<long> _invalidTags;
    private readonly Counter<long> _headersDropped;
    private readonly Counter<long> _oversizeTagHeaders;
    private readonly Counter<long> _evictions;
    private readonly UpDownCounter<long> _memberships;
    private readonly UpDownCounter<long> _tags;
    private readonly Counter<long> _itemsAccepted;
    private readonly Counter<long> _itemsCompleted;
    private readonly UpDownCounter<long> _inProgress;
    private readonly Counter<long> _objectsInvalidated;
    private readonly Counter<long> _invalidationsCompleted;
    private readonly Histogram<double> _propagation;
    private long _cachedObjects;
    private long _cachedBytes;

    public GrainMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(EdgeMeter.Name);
        _originFetches = meter.CreateCounter<long>("orleansedge.origin.fetches", "{fetch}", "Origin requests made by object grains, by result (FetchResults).");
        _originFetchDuration = meter.CreateHistogram("orleansedge.origin.fetch.duration", "s", "Time to fetch an object from its origin.", advice: FetchBuckets);
        _originBytes = meter.CreateCounter<long>("orleansedge.origin.bytes", "By", "Body bytes fetched from origins by object grains.");
        meter.CreateObservableUpDownCounter("orleansedge.cache.objects", () => Volatile.Read(ref _cachedObjects), "{object}", "Objects whose copy this silo holds.");
        meter.CreateObservableUpDownCounter("orleansedge.cache.size", () => Volatile.Read(ref _cachedBytes), "By", "Body bytes of the copies this silo holds.");
        _headersDropped = meter.CreateCounter<long>("orleansedge.origin.headers.dropped", "{value}", "Origin header values dropped because they hold control characters no HTTP response can carry.");
        _oversizeTagHeaders = meter.CreateCounter<long>("orleansedge.tags.oversize", "{response}", "Origin responses served uncached because their tag header is longer than CacheTags:MaxHeaderBytes.");
        _evictions = meter.CreateCounter<long>("orleansedge.cache.evictions", "{object}", "Copies dropped without an invalidation, by reason.");
        _invalidTags = meter.CreateCounter<long>("orleansedge.tags.invalid", "{tag}", "Cache tags ignored because they break the tag rules or exceed 50 per object.");
        _tags = meter.CreateUpDownCounter<long>("orleansedge.tags.tracked", "{tag}", "Tags that objects on this silo carry.");
        _memberships = meter.CreateUpDownCounter<long>("orleansedge.tags.memberships", "{membership}", "Tag memberships of the objects on this silo.");
        _itemsAccepted = meter.CreateCounter<long>("orleansedge.invalidation.items.accepted", "{item}", "Invalidation items accepted, by kind (tag, path, prefix).");
        _itemsCompleted = meter.CreateCounter<long>("orleansedge.invalidation.items.completed", "{item}", "Invalidation items completed, by kind.");
        _inProgress = meter.CreateUpDownCounter<long>("orleansedge.invalidations.in_progress", "{invalidation}", "Invalidations running on this silo.");
        _objectsInvalidated = meter.CreateCounter<long>("orleansedge.invalidation.objects", "{object}", "Cached objects removed or marked stale by invalidations.");
        _invalidationsCompleted = meter.CreateCounter<long>("orleansedge.invalidations.completed", "{invalidation}", "Invalidations that reached Completed.");
        _propagation = meter.CreateHistogram("orleansedge.invalidation.propagation.duration", "s",
            "Time from accepting an invalidation to the last matching object no longer being served.", advice: PropagationBuckets);
    }

    public void RecordOriginFetch(string result, long startedTimestamp, int bytes = 0)
    {
        var tags = new TagList { { "result", result } };
        _originFetches.Add(1, tags);
        if (_originFetchDuration.Enabled)
        {
            _originFetchDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
        }

        if (bytes > 0)
        {
            _originBytes.Add(bytes);
        }
    }

    /// <summary>An object grain's stored copy changed from one of <paramref name="bytesBefore"/> to one of <paramref name="bytesAfter"/> (-1: none).</summary>
    public void RecordCopyChange(long bytesBefore, long bytesAfter)
    {
        if (bytesBefore >= 0 == bytesAfter >= 0 && bytesBefore == bytesAfter)
        {
            return;
        }

        Interlocked.Add(ref _cachedObjects, (bytesAfter >= 0 ? 1 : 0) - (bytesBefore >= 0 ? 1 : 0));
        Interlocked.Add(ref _cachedBytes, Math.Max(bytesAfter, 0) - Math.Max(bytesBefore, 0));
    }

    public void RecordEviction(string reason) => _evictions.Add(1, new TagList { { "reason", reason } });

    public void RecordHeadersDropped(int count)
    {
        if (count > 0)
        {
            _headersDropped.Add(count);
        }
    }

    public void RecordOversizeTagHeader() => _oversizeTagHeaders.Add(1);

    public void RecordInvalidTags(int count)
    {
        if (count > 0)
        {
            _invalidTags.Add(count);
        }
    }

    /// <summary>Tags carried by objects on this silo changed by <paramref name="change"/>.</summary>
    public void RecordTagsTracked(int change)
    {
        if (change != 0)
        {
            _tags.Add(change);
        }
    }

    /// <summary>An object on this silo joined (1) or left (-1) a tag.</summary>
    public void RecordMemberships(int change) => _memberships.Add(change);

    public void RecordInvalidationStarted(string distribution, IEnumerable<string> itemKinds, bool accepted)
    {
        var tags = new TagList { { "distribution", distribution } };
        _inProgress.Add(1, tags);
        if (accepted)
        {
            foreach (var kind in itemKinds)
            {
                _itemsAccepted.Add(1, new TagList { { "distribution", distribution }, { "kind", kind } });
            }
        }
    }

    public void RecordInvalidationCompleted(string distribution, IEnumerable<string> itemKinds, int objects, TimeSpan propagation)
    {
        var tags = new TagList { { "distribution", distribution } };
        _inProgress.Add(-1, tags);
        foreach (var kind in itemKinds)
        {
            _itemsCompleted.Add(1, new TagList { { "distribution", distribution }, { "kind", kind } });
        }

        _objectsInvalidated.Add(objects, tags);
        _invalidationsCompleted.Add(1, tags);
        _propagation.Record(propagation.TotalSeconds, tags);
    }
}

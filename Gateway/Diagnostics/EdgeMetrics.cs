using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansEdge.Grains.Interfaces.Diagnostics;
using OrleansEdge.Gateway.NearCache;

namespace OrleansEdge.Gateway.Diagnostics;

/// <summary>The gateway side of the OrleansEdge meter: viewer requests by result.</summary>
internal sealed class EdgeMetrics
{
    /// <summary>The <c>result</c> label of <c>orleansedge.viewer.requests</c> and of the access log.</summary>
    public static class Results
    {
        public const string Hit = "hit";
        public const string RefreshHit = "refresh_hit";
        public const string Miss = "miss";
        public const string Pass = "pass";
        public const string Error = "error";
    }

    /// <summary>Buckets from 50 µs (a near-cache hit) to 30 s (the longest origin timeout).</summary>
    private static readonly InstrumentAdvice<double> DurationBuckets = new()
    {
        HistogramBucketBoundaries = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    };

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _headersDropped;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RequestTally> _tallies = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Requests and hits this gateway answered per distribution since it started: what the console's hit-rate chart samples.</summary>
    public (long Requests, long Hits) Tally(string distribution) =>
        _tallies.TryGetValue(distribution, out var tally) ? (Interlocked.Read(ref tally.Requests), Interlocked.Read(ref tally.Hits)) : (0, 0);

    public EdgeMetrics(IMeterFactory meterFactory, IViewerCopies copies)
    {
        var meter = meterFactory.Create(EdgeMeter.Name);
        meter.CreateObservableUpDownCounter("orleansedge.gateway.cache.objects", () => (long)copies.Count, "{object}", "Copies this gateway holds in its own memory.");
        meter.CreateObservableUpDownCounter("orleansedge.gateway.cache.size", () => copies.Bytes, "By", "Approximate bytes of the copies this gateway holds.");
        _requests = meter.CreateCounter<long>("orleansedge.viewer.requests", "{request}", "Viewer requests by distribution and result (Results).");
        _duration = meter.CreateHistogram("orleansedge.viewer.request.duration", "s", "Time to answer a viewer request.", advice: DurationBuckets);
        _bytes = meter.CreateCounter<long>("orleansedge.viewer.bytes", "By", "Body bytes sent to viewers, by source (cache or origin).");
        _headersDropped = meter.CreateCounter<long>("orleansedge.passthrough.headers.dropped", "{value}", "Origin header values not passed through to viewers because they hold control characters.");
    }

    /// <summary>Body bytes served; <paramref name="fromCache"/> when no origin request was made for them.</summary>
    public void RecordBytes(string distribution, bool fromCache, long bytes)
    {
        if (bytes > 0)
        {
            _bytes.Add(bytes, new TagList { { "distribution", distribution }, { "source", fromCache ? "cache" : "origin" } });
        }
    }

    public void RecordHeadersDropped(int count)
    {
        if (count > 0)
        {
            _headersDropped.Add(count);
        }
    }

    public void RecordRequest(string distribution, string result, long startedTimestamp)
    {
        if (distribution.Length > 0)
        {
            var tally = _tallies.TryGetValue(distribution, out var known) ? known : _tallies.GetOrAdd(distribution, static _ => new RequestTally());
            Interlocked.Increment(ref tally.Requests);
            if (result is Results.Hit or Results.RefreshHit)
            {
                Interlocked.Increment(ref tally.Hits);
            }
        }

        var tags = new TagList { { "distribution", distribution }, { "result", result } };
        _requests.Add(1, tags);
        if (_duration.Enabled)
        {
            _duration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
        }
    }
}

/// <summary>Running counts of one distribution's viewer requests.</summary>
internal sealed class RequestTally
{
    public long Requests;
    public long Hits;
}

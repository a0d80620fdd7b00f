using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansEdge.Grains.Interfaces.Diagnostics;
using OrleansEdge.Gateway.NearCache;

namespace OrleansEdge.Gateway.Diagnostics;

/// <summary>The gateway side of the OrleansEdge meter: viewer requests by result.</summary>
/// <remarks>
/// Requests and bytes are counted per distribution in plain counters and read by the meter when it is collected:
/// a hit adds to two numbers of its own rather than going through the metrics SDK's aggregation for each instrument.
/// Only the duration, a distribution of values, is recorded as it happens.
/// </remarks>
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

        /// <summary>Every result, in the order a tally keeps them.</summary>
        public static readonly string[] All = [Hit, RefreshHit, Miss, Pass, Error];

        public static int IndexOf(string result) => result switch
        {
            Hit => 0,
            RefreshHit => 1,
            Miss => 2,
            Pass => 3,
            _ => 4,
        };
    }

    /// <summary>Buckets from 50 µs (a near-cache hit) to 30 s (the longest origin timeout).</summary>
    private static readonly InstrumentAdvice<double> DurationBuckets = new()
    {
        HistogramBucketBoundaries = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    };

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _headersDropped;
    private readonly ConcurrentDictionary<string, RequestTally> _tallies = new(StringComparer.OrdinalIgnoreCase);

    public EdgeMetrics(IMeterFactory meterFactory, IViewerCopies copies)
    {
        var meter = meterFactory.Create(EdgeMeter.Name);
        meter.CreateObservableUpDownCounter("orleansedge.gateway.cache.objects", () => (long)copies.Count, "{object}", "Copies this gateway serves hits from without a grain call.");
        meter.CreateObservableUpDownCounter("orleansedge.gateway.cache.size", () => copies.Bytes, "By", "Approximate bytes of the copies this gateway serves hits from.");
        meter.CreateObservableCounter("orleansedge.viewer.requests", ObserveRequests, "{request}", "Viewer requests by distribution and result (Results).");
        meter.CreateObservableCounter("orleansedge.viewer.bytes", ObserveBytes, "By", "Body bytes sent to viewers, by source (cache or origin).");
        _duration = meter.CreateHistogram("orleansedge.viewer.request.duration", "s", "Time to answer a viewer request.", advice: DurationBuckets);
        _headersDropped = meter.CreateCounter<long>("orleansedge.passthrough.headers.dropped", "{value}", "Origin header values not passed through to viewers because they hold control characters.");
    }

    /// <summary>Requests and hits this gateway answered per distribution since it started: what the console's hit-rate chart samples.</summary>
    public (long Requests, long Hits) Tally(string distribution)
    {
        if (!_tallies.TryGetValue(distribution, out var tally))
        {
            return (0, 0);
        }

        var hits = Interlocked.Read(ref tally.ByResult[0]) + Interlocked.Read(ref tally.ByResult[1]);
        var requests = 0L;
        for (var i = 0; i < tally.ByResult.Length; i++)
        {
            requests += Interlocked.Read(ref tally.ByResult[i]);
        }

        return (requests, hits);
    }

    /// <summary>Body bytes served; <paramref name="fromCache"/> when no origin request was made for them.</summary>
    public void RecordBytes(string distribution, bool fromCache, long bytes)
    {
        if (bytes > 0)
        {
            var tally = TallyOf(distribution);
            Interlocked.Add(ref fromCache ? ref tally.CacheBytes : ref tally.OriginBytes, bytes);
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
        Interlocked.Increment(ref TallyOf(distribution).ByResult[Results.IndexOf(result)]);
        if (_duration.Enabled)
        {
            _duration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds,
                new TagList { { "distribution", distribution }, { "result", result } });
        }
    }

    private RequestTally TallyOf(string distribution) =>
        _tallies.TryGetValue(distribution, out var known) ? known : _tallies.GetOrAdd(distribution, static _ => new RequestTally());

    private IEnumerable<Measurement<long>> ObserveRequests()
    {
        foreach (var (distribution, tally) in _tallies)
        {
            for (var i = 0; i < Results.All.Length; i++)
            {
                if (Interlocked.Read(ref tally.ByResult[i]) is var count and > 0)
                {
                    yield return new Measurement<long>(count, new KeyValuePair<string, object?>("distribution", distribution), new KeyValuePair<string, object?>("result", Results.All[i]));
                }
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveBytes()
    {
        foreach (var (distribution, tally) in _tallies)
        {
            if (Interlocked.Read(ref tally.CacheBytes) is var cache and > 0)
            {
                yield return new Measurement<long>(cache, new KeyValuePair<string, object?>("distribution", distribution), new KeyValuePair<string, object?>("source", "cache"));
            }

            if (Interlocked.Read(ref tally.OriginBytes) is var origin and > 0)
            {
                yield return new Measurement<long>(origin, new KeyValuePair<string, object?>("distribution", distribution), new KeyValuePair<string, object?>("source", "origin"));
            }
        }
    }
}

/// <summary>Running counts of one distribution's viewer requests (by <see cref="EdgeMetrics.Results"/>) and body bytes.</summary>
internal sealed class RequestTally
{
    public readonly long[] ByResult = new long[EdgeMetrics.Results.All.Length];
    public long CacheBytes;
    public long OriginBytes;
}

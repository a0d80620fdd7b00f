using System.Globalization;
using System.Text;
using OrleansEdge.Grains.Interfaces.Retries;
using OrleansEdge.Gateway.Diagnostics;
using OrleansEdge.Gateway.Routing;
using OrleansEdge.Grains.Interfaces.Invalidations;
using static OrleansEdge.Gateway.Console.ConsoleHtml;

namespace OrleansEdge.Gateway.Console;

/// <summary>
/// The console's live charts (SPEC §8): hit rate and P95 propagation over the last 5 and 60 minutes, drawn as inline
/// SVG. The hit rate is this gateway's own traffic, sampled from its request counts every 10 seconds for an hour;
/// propagation comes from the distribution's invalidation log, so every gateway shows the cluster's.
/// </summary>
internal sealed class ConsoleCharts(EdgeMetrics metrics, RouteTableProvider routes, IGrainFactory grains, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(10);

    /// <summary>An hour of samples and one more, so the oldest interval has its start.</summary>
    private static readonly int Kept = (int)(TimeSpan.FromHours(1) / SampleEvery) + 1;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<(DateTimeOffset At, long Requests, long Hits)>> _samples = new(StringComparer.OrdinalIgnoreCase);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SampleEvery, time);
        do
        {
            Sample();
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Sample()
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            foreach (var id in routes.Current.Options.Distributions.Keys)
            {
                if (!_samples.TryGetValue(id, out var queue))
                {
                    _samples[id] = queue = new Queue<(DateTimeOffset, long, long)>(Kept);
                }

                var (requests, hits) = metrics.Tally(id);
                queue.Enqueue((now, requests, hits));
                while (queue.Count > Kept)
                {
                    queue.Dequeue();
                }
            }
        }
    }

    /// <summary>The four charts of a distribution, as HTML.</summary>
    public async Task<string> RenderAsync(string distribution)
    {
        var now = time.GetUtcNow();
        PropagationSample[] propagation;
        try
        {
            propagation = await grains.GetGrain<IInvalidationLogGrain>(distribution).PropagationSinceAsync(now - TimeSpan.FromHours(1));
        }
        catch (Exception exception) when (ClusterFailures.IsClusterFailure(exception))
        {
            propagation = [];
        }

        var html = new StringBuilder("<div class=\"charts\">");
        foreach (var (window, bucket) in new[] { (TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10)), (TimeSpan.FromHours(1), TimeSpan.FromMinutes(1)) })
        {
            var label = window.TotalMinutes < 60 ? "last 5 minutes" : "last 60 minutes";
            html.Append(Chart($"Hit rate, {label}", "hit-rate", HitRates(distribution, now, window, bucket), 100, "%"));
            html.Append(Chart($"P95 propagation, {label}", "propagation", P95s(propagation, now, window, bucket), null, "ms"));
        }

        return html.Append("</div>").ToString();
    }

    /// <summary>Hit rate in percent per bucket, null where the bucket had no requests.</summary>
    private double?[] HitRates(string distribution, DateTimeOffset now, TimeSpan window, TimeSpan bucket)
    {
        var buckets = (int)(window / bucket);
        var requests = new long[buckets];
        var hits = new long[buckets];
        lock (_lock)
        {
            if (_samples.TryGetValue(distribution, out var queue))
            {
                // The counts as they are now close the last interval, so the chart is live to the request.
                var current = metrics.Tally(distribution);
                (DateTimeOffset At, long Requests, long Hits)? previous = null;
                foreach (var sample in queue.Append((At: now, current.Requests, current.Hits)))
                {
                    if (previous is { } before && Index(now, window, bucket, sample.At) is { } index)
                    {
                        requests[index] += sample.Requests - before.Requests;
                        hits[index] += sample.Hits - before.Hits;
                    }

                    previous = sample;
                }
            }
        }

        return [.. requests.Select((count, i) => count > 0 ? 100.0 * hits[i] / count : (double?)null)];
    }

    private static double?[] P95s(PropagationSample[] samples, DateTimeOffset now, TimeSpan window, TimeSpan bucket)
    {
        var buckets = new List<double>[(int)(window / bucket)];
        foreach (var sample in samples)
        {
            if (Index(now, window, bucket, sample.Created) is { } index)
            {
                (buckets[index] ??= []).Add(sample.Propagation.TotalMilliseconds);
            }
        }

        return [.. buckets.Select(static values => values is null ? (double?)null : Percentile(values, 0.95))];
    }

    private static double Percentile(List<double> values, double quantile)
    {
        values.Sort();
        return values[Math.Min(values.Count - 1, (int)Math.Ceiling(quantile * values.Count) - 1)];
    }

    private static int? Index(DateTimeOffset now, TimeSpan window, TimeSpan bucket, DateTimeOffset at)
    {
        var age = now - at;
        return age < TimeSpan.Zero || age >= window ? null : (int)(window / bucket) - 1 - (int)(age / bucket);
    }

    /// <summary>One chart: a line over the buckets that have data, its scale, and its latest value in words.</summary>
    private static string Chart(string title, string kind, double?[] values, double? top, string unit)
    {
        const int width = 300, height = 100;
        var max = top ?? Math.Max(1, values.Max() ?? 1);
        var latest = values.LastOrDefault(static v => v is not null);
        var summary = latest is { } value ? $"{value.ToString("0.#", CultureInfo.InvariantCulture)} {unit} most recently" : "no data yet";
        var html = new StringBuilder("<figure class=\"chart\" data-kind=\"").Append(kind).Append("\"><h3>").Append(E(title)).Append("</h3>")
            .Append($"<svg viewBox=\"0 0 {width} {height + 14}\" role=\"img\" aria-label=\"{E(title)}: {E(summary)}\">")
            .Append($"<line x1=\"0\" y1=\"{height}\" x2=\"{width}\" y2=\"{height}\" stroke=\"currentColor\" stroke-opacity=\".3\"/>")
            .Append($"<text x=\"2\" y=\"10\" font-size=\"9\" fill=\"currentColor\">{E(max.ToString("0.#", CultureInfo.InvariantCulture))} {E(unit)}</text>");
        var points = new StringBuilder();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is not { } v)
            {
                // A gap, not a zero: nothing was measured then.
                if (points.Length > 0)
                {
                    html.Append("<polyline fill=\"none\" stroke=\"#0972d3\" stroke-width=\"2\" points=\"").Append(points).Append("\"/>");
                    points.Clear();
                }

                continue;
            }

            var x = values.Length == 1 ? width / 2.0 : i * (double)width / (values.Length - 1);
            var y = height - v / max * (height - 12);
            points.Append(x.ToString("0.#", CultureInfo.InvariantCulture)).Append(',').Append(y.ToString("0.#", CultureInfo.InvariantCulture)).Append(' ');
            html.Append($"<circle cx=\"{x.ToString("0.#", CultureInfo.InvariantCulture)}\" cy=\"{y.ToString("0.#", CultureInfo.InvariantCulture)}\" r=\"2\" fill=\"#0972d3\"/>");
        }

        if (points.Length > 0)
        {
            html.Append("<polyline fill=\"none\" stroke=\"#0972d3\" stroke-width=\"2\" points=\"").Append(points).Append("\"/>");
        }

        html.Append($"<text x=\"2\" y=\"{height + 12}\" font-size=\"9\" fill=\"currentColor\">{E(summary)}</text></svg></figure>");
        return html.ToString();
    }
}

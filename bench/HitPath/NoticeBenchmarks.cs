using BenchmarkDotNet.Attributes;
using OrleansEdge.Gateway.Viewer;
using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Gateway.NearCache;

namespace OrleansEdge.Bench.HitPath;

/// <summary>
/// What applying an invalidation notice costs a gateway holding 100,000 copies. A tag notice goes through
/// the tag index; a wildcard still scans every copy, which is what every notice cost before the index.
/// The notices cover no copy (they predate them), so each invocation measures the same lookup.
/// </summary>
[MemoryDiagnoser]
public class NoticeBenchmarks
{
    private const string Scope = "E1  ";
    private const string Header = "x-amz-meta-cache-tag";
    private const int Copies = 100_000;
    private readonly SteppingClock _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private NearCacheCopies _copies = null!;
    private InvalidationNotice _tagNotice = null!;
    private InvalidationNotice _wildcardNotice = null!;

    [GlobalSetup]
    public void Setup()
    {
        _copies = new NearCacheCopies(_clock, 1L << 34);
        var now = _clock.GetUtcNow();
        _copies.Renewed(TimeProvider.System.GetTimestamp(), continued: false);
        for (var i = 0; i < Copies; i++)
        {
            // 10 copies per product tag, as a product page, its variants and its API answers would be.
            _copies.Admit($"{Scope}/p/{i}", Scope, Header, new CachedResponse
            {
                Status = 200,
                Headers = [],
                Body = new byte[64],
                Tags = [$"product:{i % 10_000}", "site"],
                FetchStarted = now,
                Received = now,
                FreshUntil = now.AddYears(1),
            }, TimeProvider.System.GetTimestamp());
        }

        var before = new InvalidationStamp(now.AddSeconds(-1), Soft: false);
        _tagNotice = Notice(new InvalidationItem(InvalidationItemKind.Tag, "product:42"), before);
        _wildcardNotice = Notice(new InvalidationItem(InvalidationItemKind.Prefix, "/p/42"), before);
        _clock.Stepping = true;
    }

    [Benchmark(Description = "tag notice (tag index)")]
    public int TagNotice() => _copies.Apply(_tagNotice);

    [Benchmark(Baseline = true, Description = "wildcard notice (scan of every copy, as every notice did before the index)")]
    public int WildcardNotice() => _copies.Apply(_wildcardNotice);

    private static InvalidationNotice Notice(InvalidationItem item, InvalidationStamp stamp) => new()
    {
        InvalidationId = "I1",
        Scope = Scope,
        Items = [item],
        TagHeader = Header,
        Stamp = stamp,
    };

    /// <summary>Moves on three minutes at each reading once stepping, so remembered notices expire and their list stays short.</summary>
    private sealed class SteppingClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public bool Stepping { get; set; }

        public override DateTimeOffset GetUtcNow() => Stepping ? _now += TimeSpan.FromMinutes(3) : _now;
    }
}

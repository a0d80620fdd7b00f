using System.Net;
using OrleansEdge.Grains.Interfaces.Origin;
using OrleansEdge.Grains.Interfaces.Retries;

namespace OrleansEdge.Grains.Tests.Origin;

/// <summary>The one reading of an origin's headers (fill and pass alike), and the one mapping of its failures.</summary>
public sealed class OriginHeadersTests
{
    private static HttpResponseMessage Response(params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([1, 2, 3]) };
        foreach (var (name, value) in headers)
        {
            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                response.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return response;
    }

    private static Dictionary<string, string> Kept(HttpResponseMessage response, out int dropped) =>
        OriginHeaders.Read(response, pooled: false, out dropped).ToDictionary(h => h.Name, h => h.Values.ToString(), StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void HopByHop_ConnectionListed_AndWhatTheEdgeRecomputes_AreNotKept()
    {
        using var response = Response(
            ("Connection", "keep-alive, X-Session-Hop"), ("Keep-Alive", "timeout=5"), ("X-Session-Hop", "1"), ("Transfer-Encoding", "chunked"),
            ("Age", "30"), ("Via", "1.1 other"), ("X-Cache", "Hit from elsewhere"), ("Content-Length", "3"),
            ("Content-Type", "text/plain"), ("ETag", "\"v1\""), ("x-amz-meta-cache-tag", "a,b"));

        var kept = Kept(response, out var dropped);

        Assert.Equal(["Content-Type", "ETag", "x-amz-meta-cache-tag"], kept.Keys.Order(StringComparer.OrdinalIgnoreCase));
        Assert.Equal(0, dropped);
    }

    [Fact]
    public void ControlCharacters_DroppedAndCounted_ObsTextKeptAsItCame()
    {
        using var response = Response(("X-Bad", "a\u0001b"), ("X-Latin", "caf\u00e9"), ("X-Fine", "plain"));

        var kept = Kept(response, out var dropped);

        Assert.False(kept.ContainsKey("X-Bad"));
        Assert.Equal("caf\u00e9", kept["X-Latin"]);
        Assert.Equal("plain", kept["X-Fine"]);
        Assert.Equal(1, dropped);
    }

    [Fact]
    public void AHeaderOfSeveralValues_KeepsThemAll()
    {
        using var response = Response(("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"));

        var header = Assert.Single(OriginHeaders.Read(response, pooled: false, out _));

        Assert.Equal("a=1,b=2", header.Values.ToString());
        Assert.Equal(2, header.Values.Count);
    }

    [Fact]
    public void Pooled_AValueManyCopiesShare_IsOneString()
    {
        using var first = Response(("Content-Type", "text/html; charset=utf-8"));
        using var second = Response(("Content-Type", "text/html; charset=utf-8"));

        var a = OriginHeaders.Read(first, pooled: true, out _).Single(h => h.Name == "Content-Type").Values.ToString();
        var b = OriginHeaders.Read(second, pooled: true, out _).Single(h => h.Name == "Content-Type").Values.ToString();

        Assert.Same(a, b);
    }

    [Fact]
    public void Failures_TooSlowIs504_BrokenIs502_InTheSameWordsForFillAndPass()
    {
        Assert.Equal(504, OriginHttp.Failure(null, TimeSpan.FromSeconds(5)).Status);
        Assert.Contains("5 s", OriginHttp.Failure(null, TimeSpan.FromSeconds(5)).Message);
        Assert.Equal(504, OriginHttp.Failure(new HttpRequestException("connect", new TimeoutException()), TimeSpan.FromSeconds(5)).Status);
        Assert.Equal(502, OriginHttp.Failure(new HttpRequestException("refused"), TimeSpan.FromSeconds(5)).Status);
    }

    [Fact]
    public void ClusterFailures_AreTheClustersNotTheRequests()
    {
        Assert.True(ClusterFailures.IsClusterFailure(new TimeoutException()));
        Assert.True(ClusterFailures.IsClusterFailure(new OrleansException("storage unavailable")));
        Assert.True(ClusterFailures.IsClusterFailure(new SiloUnavailableException()));
        Assert.False(ClusterFailures.IsClusterFailure(new ArgumentException("bad item")));
        Assert.False(ClusterFailures.IsClusterFailure(new InvalidOperationException()));
    }
}

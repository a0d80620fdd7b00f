using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansEdge.EndToEnd.Tests;

/// <summary>What a hostile or broken world sends, on both planes: never a 500, never work without bound, each a clear status.</summary>
[Collection(GatewayCollection.Name)]
public sealed class HostileInputTests(GatewayFixture edge)
{
    private const string ApiPath = "/2020-05-31/distribution/E1TEST/invalidation";

    private static string Batch(string callerReference, string pathXml) =>
        $"<InvalidationBatch><CallerReference>{callerReference}</CallerReference><Paths><Quantity>1</Quantity><Items><Path>{pathXml}</Path></Items></Paths></InvalidationBatch>";

    private async Task<(HttpStatusCode Status, string Body)> PostApiAsync(byte[] body)
    {
        using var response = await edge.Http.PostAsync($"{edge.Control}{ApiPath}", new ByteArrayContent(body));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OriginHeaderWithObsText_PassedThroughAsLatin1_MissThenHit()
    {
        var target = $"/obs/{Guid.NewGuid():N}";
        foreach (var expected in new[] { "Miss", "Hit" })
        {
            using var response = await edge.GetAsync(target, "obs.test");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith(expected, response.Headers.GetValues("X-Cache").Single());
            Assert.Equal("d\u00e9j\u00e0 vu", response.Headers.GetValues("X-Note").Single());
            Assert.Equal("caf\u00e9,menu", response.Headers.GetValues("x-amz-meta-cache-tag").Single());
            Assert.Equal("obs-text", await response.Content.ReadAsStringAsync());
        }

        // The valid tag still counts: purging it reaches the object.
        using var purged = await edge.PurgeAsync("""{"tags":["menu"]}""", "E4OBS");
        Assert.Equal(HttpStatusCode.OK, purged.StatusCode);
        Assert.StartsWith("Miss", await edge.XCacheAsync(target, "obs.test"));
    }

    [Fact]
    public async Task OriginHeaderWithControlCharacter_ThatValueDropped_ResponseServed()
    {
        var target = $"/ctl/{Guid.NewGuid():N}";
        foreach (var expected in new[] { "Miss", "Hit" })
        {
            using var response = await edge.GetAsync(target, "ctl.test");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith(expected, response.Headers.GetValues("X-Cache").Single());
            Assert.False(response.Headers.Contains("X-Bad"));
            Assert.Equal("fine", response.Headers.GetValues("X-Good").Single());
        }

        // The pass-through (a request with credentials) copies headers by the same rule.
        using var passed = await edge.GetAsync(target, "ctl.test", r => r.Headers.Authorization = new("Bearer", "x"));
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        Assert.False(passed.Headers.Contains("X-Bad"));
    }

    [Fact]
    public async Task OriginTagHeaderOverTheLimit_ServedUncached_NotBlamedOnTheOrigin()
    {
        var target = $"/bigtags/{Guid.NewGuid():N}?tagBytes=70000";
        for (var i = 1; i <= 2; i++)
        {
            using var response = await edge.GetAsync(target);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("Miss", response.Headers.GetValues("X-Cache").Single());
        }

        Assert.Equal(2, edge.Origin.Requests(target));
    }

    [Theory]
    [InlineData("TRACE")]
    [InlineData("PROPFIND")]
    public async Task MethodsAnOriginNeverSees_405(string method)
    {
        using var response = await edge.SendAsync(new HttpMethod(method), "e1.test", $"/m/{Guid.NewGuid():N}");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("GET", response.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("CONNECT /tunnel HTTP/1.1", "HTTP/1.1 405")]
    [InlineData("CONNECT origin.example:443 HTTP/1.1", "HTTP/1.1 400")]
    public async Task Connect_RefusedAtTheEdge(string requestLine, string expected)
    {
        // The authority form is refused by Kestrel itself before the edge sees it; either way no tunnel, no 502.
        var answer = await RawViewerRequestAsync($"{requestLine}\r\nHost: e1.test\r\n\r\n");
        Assert.StartsWith(expected, answer);
    }

    [Fact]
    public async Task PostWithAnOverflowingChunkSize_400_NotBlamedOnTheOrigin()
    {
        var answer = await RawViewerRequestAsync(
            "POST /chunk HTTP/1.1\r\nHost: e1.test\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", answer);
    }

    [Theory]
    [InlineData("/a\u0001b")]
    [InlineData("/nul\u0000")]
    [InlineData("#tag\u0001")]
    [InlineData("/non\ufffe")]
    public async Task PurgeOfAnItemNoRecordCanHold_400_AndNothingRecorded(string item)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new { paths = new[] { item } });
        using var response = await edge.PurgeAsync(json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("error", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PurgeWithALoneSurrogateEscape_400()
    {
        using var response = await edge.PurgeAsync("""{"paths":["/x\ud800"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("/a&#1;b")]
    [InlineData("/a&#xD800;b")]
    [InlineData("/a\u0001b")]
    [InlineData("/a\ufffeb")]
    public async Task ApiItemsNoRecordCanHold_400_WithAnXmlError(string pathXml)
    {
        var (status, body) = await PostApiAsync(Encoding.UTF8.GetBytes(Batch($"bad-{Guid.NewGuid():N}", pathXml)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("<Code>", body);
        System.Xml.Linq.XElement.Parse(body);
    }

    [Fact]
    public async Task ApiXmlNestedDeeply_400_InBoundedTime()
    {
        var depth = 80_000;
        var xml = "<InvalidationBatch><CallerReference>deep</CallerReference>" + string.Concat(Enumerable.Repeat("<a>", depth)) + string.Concat(Enumerable.Repeat("</a>", depth)) + "</InvalidationBatch>";
        var watch = Stopwatch.StartNew();
        var (status, body) = await PostApiAsync(Encoding.UTF8.GetBytes(xml));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("MalformedXML", body);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task ApiCallerReferenceOfAMegabyte_400()
    {
        var (status, body) = await PostApiAsync(Encoding.UTF8.GetBytes(Batch(new string('r', 1 << 20), $"/ref/{Guid.NewGuid():N}")));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("InvalidArgument", body);
    }

    [Fact]
    public async Task PurgeOfAHundredThousandTags_400BatchTooLarge_Not429()
    {
        var tags = Enumerable.Range(0, 100_000).Select(i => $"t{i}").ToArray();
        using var response = await edge.PurgeAsync(System.Text.Json.JsonSerializer.Serialize(new { tags }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("BatchTooLarge", await response.Content.ReadAsStringAsync());
    }

    /// <summary>Sends bytes no HTTP client library would, on the viewer port, and returns the status line and what follows.</summary>
    private async Task<string> RawViewerRequestAsync(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, edge.ViewerPort);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = await stream.ReadAsync(buffer, timeout.Token);
        return Encoding.Latin1.GetString(buffer, 0, read);
    }

    [Theory]
    [InlineData("e1.test")]
    [InlineData("shop.test")]
    public async Task OversizedCookiesAndEncodings_AreKeyedOrIgnored_NeverA500(string host)
    {
        var target = $"/hostile-keys/{Guid.NewGuid():N}";
        var cookies = string.Join("; ", Enumerable.Range(0, 400).Select(i => $"c{i}={new string('v', 10)}")) + "; session=s1";
        var encodings = string.Join(", ", Enumerable.Range(0, 300).Select(i => $"x-coding-{i};q=0.{i % 10}")) + ", gzip;q=abc, br;q=0";
        for (var i = 0; i < 2; i++)
        {
            using var response = await edge.GetAsync(target, host, r =>
            {
                r.Headers.TryAddWithoutValidation("Cookie", cookies);
                r.Headers.TryAddWithoutValidation("Accept-Encoding", encodings);
                r.Headers.TryAddWithoutValidation("Accept-Language", new string('l', 3000));
            });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(i == 0 ? "Miss from orleansedge" : "Hit from orleansedge", response.Headers.GetValues("X-Cache").Single());

            // gzip with a q that is no number counts as accepted; br;q=0 does not.
            Assert.Equal("gzip", response.Headers.GetValues("X-Origin-Accept-Encoding").Single());
        }

        // Only what the policy keys reached the origin: nothing on e1.test, the session on shop.test.
        using var last = await edge.GetAsync(target, host, r => r.Headers.TryAddWithoutValidation("Cookie", cookies));
        Assert.Equal(host == "shop.test" ? "session=s1" : "", last.Headers.GetValues("X-Origin-Cookie").Single());
    }

    [Theory]
    [InlineData("bytes=0-0,1-1,2-2,3-3,4-4,5-5", HttpStatusCode.OK)]
    [InlineData("bytes=99999999999999999999-", HttpStatusCode.OK)]
    [InlineData("bytes=-99999999999999999999", HttpStatusCode.OK)]
    [InlineData("bytes=5-", HttpStatusCode.PartialContent)]
    [InlineData("pages=1-2", HttpStatusCode.OK)]
    public async Task HostileRanges_GetAClearAnswer(string range, HttpStatusCode expected)
    {
        var target = $"/hostile-range/{Guid.NewGuid():N}?size=100";
        using var response = await edge.GetAsync(target, configure: r => r.Headers.TryAddWithoutValidation("Range", range));
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? 100 : 95, (await response.Content.ReadAsByteArrayAsync()).Length);
    }
}

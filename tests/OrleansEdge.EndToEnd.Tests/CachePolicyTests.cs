using System.Net;

namespace OrleansEdge.EndToEnd.Tests;

/// <summary>SPEC §3a as a site sees it: cookies, query order, URL spellings, Vary, behaviors and policies.</summary>
[Collection(GatewayCollection.Name)]
public sealed class CachePolicyTests(GatewayFixture edge)
{
    private static string Unique(string path) => $"{path}/{Guid.NewGuid():N}";

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : "";

    private async Task<(string XCache, HttpResponseMessage Response)> GetAsync(string target, string host = "e1.test", params (string Name, string Value)[] headers)
    {
        var response = await edge.GetAsync(target, host, r =>
        {
            foreach (var (name, value) in headers)
            {
                r.Headers.TryAddWithoutValidation(name, value);
            }
        });
        return (Header(response, "X-Cache"), response);
    }

    private async Task<string> XCacheAsync(string target, string host = "e1.test", params (string Name, string Value)[] headers)
    {
        var (xCache, response) = await GetAsync(target, host, headers);
        response.Dispose();
        return xCache;
    }

    private async Task PurgeAsync(string json, string distribution = "E1TEST")
    {
        using var purge = await edge.PurgeAsync(json, distribution);
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
    }

    [Fact]
    public async Task AnalyticsCookies_AreLeftOutOfTheKeyAndTheFill_SoViewersShareTheCopy()
    {
        var target = Unique("/landing");
        var (first, response) = await GetAsync(target, "e1.test", ("Cookie", "_ga=GA1.2.111; _gid=GA1.2.9"));
        Assert.Equal("Miss from orleansedge", first);
        Assert.Equal("", Header(response, "X-Origin-Cookie"));
        response.Dispose();

        Assert.Equal("Hit from orleansedge", await XCacheAsync(target, "e1.test", ("Cookie", "_ga=GA1.2.222")));
        Assert.Equal("Hit from orleansedge", await XCacheAsync(target, "e1.test", ("Cookie", "_ga=GA1.2.333; theme=dark")));
        Assert.Equal(1, edge.Origin.Requests(target));
    }

    [Fact]
    public async Task QueryParameterOrder_IsOneObject()
    {
        var path = Unique("/search");
        Assert.Equal("Miss from orleansedge", await XCacheAsync(path + "?a=1&b=2"));
        Assert.Equal("Hit from orleansedge", await XCacheAsync(path + "?b=2&a=1"));
        Assert.Equal("Hit from orleansedge", await XCacheAsync(path + "?b=2&&a=1&"));
        Assert.Equal(1, edge.Origin.Requests(path + "?a=1&b=2"));
    }

    [Fact]
    public async Task EverySpellingOfAUrl_IsOneObject_AndOnePurgeReachesIt()
    {
        var id = Guid.NewGuid().ToString("N");
        var page = $"/page/{id}";
        string[] spellings = [page, $"/x/../page/{id}", $"/%70age/{id}", $"/page/./{id}", $"/%2e%2e/page/%2E/{id}"];

        Assert.Equal("Miss from orleansedge", await XCacheAsync(spellings[0]));
        foreach (var spelling in spellings[1..])
        {
            Assert.Equal("Hit from orleansedge", await XCacheAsync(spelling));
        }

        Assert.Equal(1, edge.Origin.Requests(page));

        // A purge of one spelling reaches every other: after it, every spelling gets the one new fetch.
        await PurgeAsync($$"""{"paths":["/p%61ge/x/../{{id}}"]}""");
        Assert.Equal("Miss from orleansedge", await XCacheAsync(spellings[^1]));
        foreach (var spelling in spellings)
        {
            using var response = await edge.GetAsync(spelling);
            Assert.Equal("Hit from orleansedge", Header(response, "X-Cache"));
            Assert.EndsWith("#2", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(2, edge.Origin.Requests(page));
    }

    [Fact]
    public async Task WildcardPurge_ReachesEverySpellingUnderItsPrefix()
    {
        var folder = $"/docs/{Guid.NewGuid():N}";
        Assert.Equal("Miss from orleansedge", await XCacheAsync($"{folder}/a"));
        Assert.Equal("Hit from orleansedge", await XCacheAsync($"/docs/../{folder[1..]}/%61"));

        await PurgeAsync($$"""{"paths":["/docs/./{{folder[6..]}}/*"]}""");
        Assert.Equal("Miss from orleansedge", await XCacheAsync($"{folder}/a"));
    }

    [Fact]
    public async Task VaryStar_OrOnAHeaderOutsideTheKey_IsNotStored()
    {
        var star = Unique("/vary-star") + "?vary=*";
        Assert.Equal("Miss from orleansedge", await XCacheAsync(star));
        Assert.Equal("Miss from orleansedge", await XCacheAsync(star));
        Assert.Equal(2, edge.Origin.Requests(star));

        // The default policy keys no header: a response that varies on one cannot be told apart, so it is not kept.
        var language = Unique("/vary-language") + "?vary=Accept-Language";
        Assert.Equal("Miss from orleansedge", await XCacheAsync(language, "e1.test", ("Accept-Language", "fr")));
        var (_, english) = await GetAsync(language, "e1.test", ("Accept-Language", "en"));
        Assert.Equal("Miss from orleansedge", Header(english, "X-Cache"));
        english.Dispose();
        Assert.Equal(2, edge.Origin.Requests(language));
    }

    [Fact]
    public async Task VaryOnAKeyedHeader_StoresOneCopyPerValue_AndAPathPurgeTakesThemAll()
    {
        var target = Unique("/catalogue") + "?vary=Accept-Language";
        var (french, response) = await GetAsync(target, "shop.test", ("Accept-Language", "fr"));
        Assert.Equal("Miss from orleansedge", french);
        Assert.Equal("fr", Header(response, "X-Origin-Accept-Language"));
        response.Dispose();

        var (english, englishResponse) = await GetAsync(target, "shop.test", ("Accept-Language", "en"));
        Assert.Equal("Miss from orleansedge", english);
        Assert.Equal("en", Header(englishResponse, "X-Origin-Accept-Language"));
        englishResponse.Dispose();

        var (again, againResponse) = await GetAsync(target, "shop.test", ("Accept-Language", "fr"));
        Assert.Equal("Hit from orleansedge", again);
        Assert.Equal("fr", Header(againResponse, "X-Origin-Accept-Language"));
        againResponse.Dispose();
        Assert.Equal("Hit from orleansedge", await XCacheAsync(target, "shop.test", ("Accept-Language", "en")));

        await PurgeAsync($$"""{"paths":["{{target[..target.IndexOf('?')]}}?vary=Accept-Language"]}""", "E7SHOP");
        Assert.Equal("Miss from orleansedge", await XCacheAsync(target, "shop.test", ("Accept-Language", "fr")));
        Assert.Equal("Miss from orleansedge", await XCacheAsync(target, "shop.test", ("Accept-Language", "en")));
    }

    [Fact]
    public async Task AcceptEncoding_IsNormalisedInTheKeyAndTheFill_AndEachEncodingIsItsOwnCopy()
    {
        var target = Unique("/asset") + "?vary=Accept-Encoding&tags=asset-" + Guid.NewGuid().ToString("N");
        var (plain, plainResponse) = await GetAsync(target);
        Assert.Equal("Miss from orleansedge", plain);
        Assert.Equal("", Header(plainResponse, "X-Origin-Accept-Encoding"));
        plainResponse.Dispose();

        var (gzip, gzipResponse) = await GetAsync(target, "e1.test", ("Accept-Encoding", "gzip, deflate"));
        Assert.Equal("Miss from orleansedge", gzip);
        Assert.Equal("gzip", Header(gzipResponse, "X-Origin-Accept-Encoding"));
        gzipResponse.Dispose();

        var (brotli, brotliResponse) = await GetAsync(target, "e1.test", ("Accept-Encoding", "gzip, deflate, br, zstd"));
        Assert.Equal("Miss from orleansedge", brotli);
        Assert.Equal("br", Header(brotliResponse, "X-Origin-Accept-Encoding"));
        brotliResponse.Dispose();

        Assert.Equal("Hit from orleansedge", await XCacheAsync(target, "e1.test", ("Accept-Encoding", "x-gzip")));
        Assert.Equal("Hit from orleansedge", await XCacheAsync(target, "e1.test", ("Accept-Encoding", "br;q=1.0, gzip;q=0.5")));
        Assert.Equal("Hit from orleansedge", await XCacheAsync(target));
        Assert.Equal(3, edge.Origin.Requests(target));

        // A tag reaches every encoding of the object.
        await PurgeAsync($$"""{"tags":["{{target[(target.LastIndexOf('=') + 1)..]}}"]}""");
        Assert.Equal("Miss from orleansedge", await XCacheAsync(target, "e1.test", ("Accept-Encoding", "gzip")));
        Assert.Equal("Miss from orleansedge", await XCacheAsync(target, "e1.test", ("Accept-Encoding", "br")));
        Assert.Equal("Miss from orleansedge", await XCacheAsync(target));
    }

    [Fact]
    public async Task ShopPolicy_KeysTheSessionCookieAndLanguage_NotTrackingParameters()
    {
        var path = Unique("/product");
        var (first, response) = await GetAsync(path + "?id=1&utm_source=mail", "shop.test", ("Cookie", "_ga=1; session=alice"));
        Assert.Equal("Miss from orleansedge", first);
        Assert.Equal("session=alice", Header(response, "X-Origin-Cookie"));
        response.Dispose();
        Assert.Equal(1, edge.Origin.Requests(path + "?id=1"));

        Assert.Equal("Hit from orleansedge", await XCacheAsync(path + "?fbclid=x&id=1", "shop.test", ("Cookie", "session=alice; _gid=2")));
        Assert.Equal("Miss from orleansedge", await XCacheAsync(path + "?id=1", "shop.test", ("Cookie", "session=bob")));
        Assert.Equal("Miss from orleansedge", await XCacheAsync(path + "?id=1", "shop.test"));
        Assert.Equal("Miss from orleansedge", await XCacheAsync(path + "?id=2", "shop.test", ("Cookie", "session=alice")));
    }

    [Fact]
    public async Task Behaviors_ApiIsNeverCached_StaticIsKeyedByPathAlone()
    {
        var api = Unique("/api/cart");
        Assert.Equal("Miss from orleansedge", await XCacheAsync(api, "shop.test", ("Cookie", "session=alice")));
        var (second, response) = await GetAsync(api, "shop.test", ("Cookie", "session=alice; _ga=1"));
        Assert.Equal("Miss from orleansedge", second);

        // A pass goes to the origin as the viewer sent it, cookies included.
        Assert.Equal("session=alice; _ga=1", Header(response, "X-Origin-Cookie"));
        response.Dispose();
        Assert.Equal(2, edge.Origin.Requests(api));

        var script = Unique("/static/app") + ".js";
        Assert.Equal("Miss from orleansedge", await XCacheAsync(script + "?v=1", "shop.test"));
        Assert.Equal("Hit from orleansedge", await XCacheAsync(script + "?v=2", "shop.test"));
        Assert.Equal("Hit from orleansedge", await XCacheAsync(script, "shop.test", ("Cookie", "session=bob")));
    }

    [Theory]
    [InlineData("gzip, deflate", "gzip")]
    [InlineData("gzip, deflate, br", "br")]
    public async Task CompressibleResponse_IsCompressedByTheEdge_ForViewersThatAcceptIt(string acceptEncoding, string expected)
    {
        var target = Unique("/compress") + "?size=20000";
        var (miss, compressed) = await GetAsync(target, "e1.test", ("Accept-Encoding", acceptEncoding));
        Assert.Equal("Miss from orleansedge", miss);
        Assert.Equal(expected, Header(compressed, "Content-Encoding"));
        Assert.Contains("Accept-Encoding", Header(compressed, "Vary"));
        var body = await compressed.Content.ReadAsByteArrayAsync();
        Assert.Equal(body.Length, compressed.Content.Headers.ContentLength);
        Assert.True(body.Length < 2000, $"{body.Length} bytes");
        Assert.Equal(new string('x', 20000), Decode(expected, body));
        compressed.Dispose();

        var (hit, again) = await GetAsync(target, "e1.test", ("Accept-Encoding", acceptEncoding));
        Assert.Equal("Hit from orleansedge", hit);
        Assert.Equal(new string('x', 20000), Decode(expected, await again.Content.ReadAsByteArrayAsync()));
        again.Dispose();

        // A viewer that did not ask for an encoding never receives one.
        var (_, plain) = await GetAsync(target);
        Assert.Equal("", Header(plain, "Content-Encoding"));
        Assert.Equal(20000, (await plain.Content.ReadAsByteArrayAsync()).Length);
        plain.Dispose();
    }

    [Fact]
    public async Task OriginThatGzipsUnasked_IsDecodedForViewersWithoutGzip()
    {
        var target = Unique("/always-gzip") + "?size=5000&gzip=1";
        var (_, plain) = await GetAsync(target);
        Assert.Equal("", Header(plain, "Content-Encoding"));
        Assert.Equal(new string('x', 5000), await plain.Content.ReadAsStringAsync());
        plain.Dispose();

        var (_, gzip) = await GetAsync(target, "e1.test", ("Accept-Encoding", "gzip"));
        Assert.Equal("gzip", Header(gzip, "Content-Encoding"));
        Assert.Equal(new string('x', 5000), Decode("gzip", await gzip.Content.ReadAsByteArrayAsync()));
        gzip.Dispose();
    }

    [Fact]
    public async Task RangeRequests_AreAnsweredFromTheCopy_TheMissFillingTheWholeObjectOnce()
    {
        var target = Unique("/video") + "?size=50000&etag=v1";
        var (miss, first) = await GetAsync(target, "e1.test", ("Range", "bytes=0-99"));
        Assert.Equal("Miss from orleansedge", miss);
        Assert.Equal(HttpStatusCode.PartialContent, first.StatusCode);
        Assert.Equal("bytes 0-99/50000", Header(first, "Content-Range"));
        Assert.Equal(100, (await first.Content.ReadAsByteArrayAsync()).Length);
        first.Dispose();

        var (hit, seek) = await GetAsync(target, "e1.test", ("Range", "bytes=49000-"));
        Assert.Equal("Hit from orleansedge", hit);
        Assert.Equal(HttpStatusCode.PartialContent, seek.StatusCode);
        Assert.Equal("bytes 49000-49999/50000", Header(seek, "Content-Range"));
        Assert.Equal(1000, seek.Content.Headers.ContentLength);
        seek.Dispose();

        var (_, beyond) = await GetAsync(target, "e1.test", ("Range", "bytes=60000-"));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
        Assert.Equal("bytes */50000", Header(beyond, "Content-Range"));
        beyond.Dispose();

        // The copy changed since the player's first request: it gets the whole new body.
        var (_, changed) = await GetAsync(target, "e1.test", ("Range", "bytes=0-9"), ("If-Range", "\"v0\""));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("bytes", Header(changed, "Accept-Ranges"));
        Assert.Equal(50000, (await changed.Content.ReadAsByteArrayAsync()).Length);
        changed.Dispose();

        Assert.Equal(1, edge.Origin.Requests(target));
    }

    [Fact]
    public async Task CustomErrorPage_ReplacesTheErrorBody_AndIsCachedAndPurgedAsAnyObject()
    {
        var missing = Unique("/gone") + "?status=404";
        var (first, response) = await GetAsync(missing, "shop.test");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Miss from orleansedge", first);
        var page = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("GET /errors/not-found?tags=error-page #", page);
        response.Dispose();

        // The 404 is cached for the policy's error TTL, the page as an object of its own: neither reaches the origin again.
        var (second, again) = await GetAsync(missing, "shop.test");
        Assert.Equal("Hit from orleansedge", second);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(page, await again.Content.ReadAsStringAsync());
        again.Dispose();
        Assert.Equal(1, edge.Origin.Requests(missing));

        // A purge of the page reaches it like any object.
        await PurgeAsync("{\"tags\":[\"error-page\"]}", "E7SHOP");
        var (_, afterPurge) = await GetAsync(missing, "shop.test");
        Assert.NotEqual(page, await afterPurge.Content.ReadAsStringAsync());
        afterPurge.Dispose();
    }

    [Fact]
    public async Task CustomErrorPage_WithAResponseCode_ServesASinglePageApp()
    {
        var route = Unique("/app/orders") + "?status=403";
        var (_, response) = await GetAsync(route, "shop.test");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("GET /spa/index.html #", await response.Content.ReadAsStringAsync());
        response.Dispose();
    }

    [Fact]
    public async Task EdgesOwn504_IsReplacedByTheCustomPage_AndStays504()
    {
        var (xCache, response) = await GetAsync(Unique("/slow") + "?delay=4000", "timeout.test");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("Error from orleansedge", xCache);
        Assert.StartsWith("GET /sorry.html #", await response.Content.ReadAsStringAsync());
        response.Dispose();
    }

    private static string Decode(string coding, byte[] body)
    {
        using var output = new MemoryStream();
        using (Stream decoder = coding == "br"
            ? new System.IO.Compression.BrotliStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress)
            : new System.IO.Compression.GZipStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress))
        {
            decoder.CopyTo(output);
        }

        return System.Text.Encoding.UTF8.GetString(output.ToArray());
    }
}

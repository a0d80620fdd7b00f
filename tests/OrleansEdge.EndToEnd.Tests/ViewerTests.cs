using System.Net;
using OrleansEdge.Tests.Shared;

namespace OrleansEdge.EndToEnd.Tests;

[Collection(GatewayCollection.Name)]
public sealed class ViewerTests(GatewayFixture edge)
{
    private static string Unique(string path) => $"{path}/{Guid.NewGuid():N}";

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : "";

    [Fact]
    public async Task Get_MissThenHit_WithAgeAndVia()
    {
        var target = Unique("/page");
        using var miss = await edge.GetAsync(target);
        Assert.Equal(HttpStatusCode.OK, miss.StatusCode);
        Assert.Equal("Miss from orleansedge", Header(miss, "X-Cache"));
        Assert.Contains("orleansedge", Header(miss, "Via"));

        using var hit = await edge.GetAsync(target);
        Assert.Equal("Hit from orleansedge", Header(hit, "X-Cache"));
        Assert.NotEqual("", Header(hit, "Age"));
        Assert.Equal(await miss.Content.ReadAsStringAsync(), await hit.Content.ReadAsStringAsync());
        Assert.Equal(1, edge.Origin.Requests(target));
    }

    [Fact]
    public async Task Head_ServedFromCache_NoBodySameLength()
    {
        var target = Unique("/head") + "?size=1234";
        using (await edge.GetAsync(target))
        {
        }

        using var head = await edge.SendAsync(HttpMethod.Head, "e1.test", target);
        Assert.Equal("Hit from orleansedge", Header(head, "X-Cache"));
        Assert.Equal(1234, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, edge.Origin.Requests(target));
    }

    [Fact]
    public async Task IfNoneMatch_Answered304FromCache()
    {
        var target = Unique("/cond") + "?etag=abc";
        using (await edge.GetAsync(target))
        {
        }

        using var conditional = await edge.GetAsync(target, configure: r => r.Headers.TryAddWithoutValidation("If-None-Match", "\"abc\""));
        Assert.Equal(HttpStatusCode.NotModified, conditional.StatusCode);
        Assert.Equal("Hit from orleansedge", Header(conditional, "X-Cache"));
        Assert.Equal("\"abc\"", Header(conditional, "ETag"));
        Assert.Equal(1, edge.Origin.Requests(target));
    }

    [Fact]
    public async Task FiftyConcurrentFirstRequests_OneOriginRequest()
    {
        var target = Unique("/burst") + "?delay=500";
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => edge.GetAsync(target)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, edge.Origin.Requests(target));
        Assert.Single(responses, r => Header(r, "X-Cache") == "Miss from orleansedge");
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Theory]
    [InlineData("?cc=no-store")]
    [InlineData("?cc=private")]
    [InlineData("?cookie=1")]
    public async Task UncacheableResponses_FetchedEveryTime(string query)
    {
        var target = Unique("/nocache") + query;
        for (var i = 0; i < 3; i++)
        {
            using var response = await edge.GetAsync(target);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("Miss", Header(response, "X-Cache"));
        }

        Assert.Equal(3, edge.Origin.Requests(target));
    }

    [Fact]
    public async Task Post_PassesThroughWithBody_NeverCached()
    {
        var target = Unique("/form");
        for (var i = 0; i < 2; i++)
        {
            using var response = await edge.SendAsync(HttpMethod.Post, "e1.test", target, r => r.Content = new StringContent("a=1"));
            Assert.Equal("POST", Header(response, "X-Origin-Method"));
            Assert.Equal("Miss from orleansedge", Header(response, "X-Cache"));
        }

        Assert.Equal(2, edge.Origin.Requests(target));
    }

    [Fact]
    public async Task RequestWithAuthorization_GoesToOrigin()
    {
        var target = Unique("/personal");
        using (await edge.GetAsync(target))
        {
        }

        using var authorized = await edge.GetAsync(target, configure: r => r.Headers.Add("Authorization", "Bearer viewer"));
        Assert.Equal("Miss from orleansedge", Header(authorized, "X-Cache"));
        Assert.Equal(2, edge.Origin.Requests(target));
    }

    [Theory]
    [InlineData("")]
    [InlineData("&chunked=1")]
    public async Task LargeBody_StreamsThroughWhole_NotStored_OriginAskedOncePerViewer(string shape)
    {
        // E1TEST stores at most 100,000 bytes: the fill finds this too large and relays the body it has to the viewer
        // that asked, rather than letting the gateway ask the origin a second time.
        var target = Unique("/video") + "?seq=1&size=300000" + shape;
        for (var i = 1; i <= 2; i++)
        {
            using var response = await edge.GetAsync(target);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(TestOrigin.Sequence(300_000), await response.Content.ReadAsStringAsync());
            Assert.StartsWith("Miss", Header(response, "X-Cache"));
            Assert.Equal(i, edge.Origin.Requests(target));
        }
    }

    [Fact]
    public async Task LargeBody_RangeRequest_TheOriginAnswersTheRange()
    {
        // The viewer's range goes to the origin with its request: a relay of the fill's whole body would not answer it.
        var target = Unique("/video") + "?seq=1&size=300000&ranges=1";
        using var response = await edge.GetAsync(target, configure: request => request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(200_000, 200_009));
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(TestOrigin.Sequence(300_000)[200_000..200_010], await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OriginDown_502WithShortExplanation()
    {
        using var response = await edge.GetAsync(Unique("/x"), host: "dead.test");
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("Error from orleansedge", Header(response, "X-Cache"));
        Assert.Contains("origin", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OriginSlowerThanTimeout_504()
    {
        using var response = await edge.GetAsync(Unique("/slow") + "?delay=6000");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("Error from orleansedge", Header(response, "X-Cache"));
    }

    [Fact]
    public async Task UnknownHost_404()
    {
        using var response = await edge.GetAsync("/", host: "nobody.test");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no distribution", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task HostMatch_IgnoresCaseAndPort()
    {
        var target = Unique("/host");
        using (await edge.GetAsync(target, host: "E1.TEST:8080"))
        {
        }

        Assert.Equal("Hit from orleansedge", await edge.XCacheAsync(target, "e1.test"));
    }

    [Fact]
    public async Task StripFromResponse_TagHeaderHiddenFromViewers()
    {
        var target = Unique("/strip") + "?tags=secret";
        using var response = await edge.GetAsync(target, host: "strip.test");
        Assert.False(response.Headers.Contains("x-amz-meta-cache-tag"));
        using var shown = await edge.GetAsync(Unique("/shown") + "?tags=visible");
        Assert.Equal("visible", Header(shown, "x-amz-meta-cache-tag"));
    }

    [Fact]
    public async Task HopByHopHeaders_NotForwardedToViewer()
    {
        using var response = await edge.GetAsync(Unique("/hop"));
        Assert.False(response.Headers.Contains("Keep-Alive"));
        Assert.False(response.Headers.TransferEncodingChunked == true && response.Content.Headers.ContentLength is not null);
    }

    [Fact]
    public async Task AccessLog_OneLinePerViewerRequest_WithResultBytesAndDistribution()
    {
        var target = Unique("/logged") + "?size=321";
        using (await edge.GetAsync(target))
        {
        }

        using (await edge.GetAsync(target))
        {
        }

        string[] Lines() => edge.GatewayOutput.Split('\n').Where(l => l.Contains(target, StringComparison.Ordinal)).ToArray();
        for (var i = 0; i < 100 && Lines().Length < 2; i++)
        {
            await Task.Delay(50);
        }

        var lines = Lines();
        Assert.Equal(2, lines.Length);
        Assert.Contains($"GET e1.test {target} 200 miss 321 ", lines[0]);
        Assert.EndsWith(" E1TEST", lines[0].TrimEnd());
        Assert.Contains($"GET e1.test {target} 200 hit 321 ", lines[1]);
    }
}

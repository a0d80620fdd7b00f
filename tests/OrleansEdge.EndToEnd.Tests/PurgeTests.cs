using System.Net;
using System.Text.Json;

namespace OrleansEdge.EndToEnd.Tests;

[Collection(GatewayCollection.Name)]
public sealed class PurgeTests(GatewayFixture edge)
{
    private const string SlowHost = "slow.test";
    private const string SlowDistribution = "E6SLOW";

    private static string Tagged(string path, string tags) => $"{path}/{Guid.NewGuid():N}?tags={Uri.EscapeDataString(tags)}";

    private async Task WarmAsync(params string[] targets)
    {
        foreach (var target in targets)
        {
            await edge.XCacheAsync(target);
            Assert.Equal("Hit from orleansedge", await edge.XCacheAsync(target));
        }
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task PurgeTag_EveryUrlWithTagMisses_UntaggedStaysHit()
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var product = Tagged("/products", $"product:{id}, category:electronics");
        var reviews = Tagged("/reviews", $"product:{id}");
        var api = Tagged("/api", $"Product:{id.ToUpperInvariant()}");
        var other = Tagged("/products", "product:other");
        var untagged = $"/about/{Guid.NewGuid():N}";
        await WarmAsync(product, reviews, api, other, untagged);

        using var purge = await edge.PurgeAsync($"{{\"tags\":[\"product:{id}\"]}}");
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        var answer = await JsonAsync(purge);
        Assert.Equal(3, answer.GetProperty("invalidated").GetInt32());
        Assert.True(answer.GetProperty("elapsedMs").GetDouble() >= 0);
        Assert.True(answer.GetProperty("propagationMs").GetDouble() >= 0);

        Assert.Equal("Miss from orleansedge", await edge.XCacheAsync(product));
        Assert.Equal("Miss from orleansedge", await edge.XCacheAsync(reviews));
        Assert.Equal("Miss from orleansedge", await edge.XCacheAsync(api));
        Assert.Equal("Hit from orleansedge", await edge.XCacheAsync(other));
        Assert.Equal("Hit from orleansedge", await edge.XCacheAsync(untagged));
    }

    [Fact]
    public async Task PurgeTagWithHash_AndPathsAndPrefix_Together()
    {
        var tag = $"t-{Guid.NewGuid():N}";
        var byTag = Tagged("/a", tag);
        var byPath = $"/b/{Guid.NewGuid():N}";
        var folder = $"/c-{Guid.NewGuid():N}";
        await WarmAsync(byTag, byPath, folder + "/1", folder + "/2?x=1");
        using var purge = await edge.PurgeAsync($"{{\"tags\":[\"#{tag}\"],\"paths\":[\"{byPath}\",\"{folder}/*\"]}}");
        Assert.Equal(4, (await JsonAsync(purge)).GetProperty("invalidated").GetInt32());
        foreach (var target in new[] { byTag, byPath, folder + "/1", folder + "/2?x=1" })
        {
            Assert.Equal("Miss from orleansedge", await edge.XCacheAsync(target));
        }
    }

    [Fact]
    public async Task PurgeDuringSlowOriginFetch_NextRequestMisses()
    {
        var tag = $"slow-{Guid.NewGuid():N}";
        var target = Tagged("/slow", tag) + "&delay=1500";

        // On the distribution whose origin timeout is a minute: a loaded machine must not turn the slow fetch into a 504.
        var inFlight = edge.GetAsync(target, SlowHost);
        await edge.Origin.Arrived(target);
        using (var purge = await edge.PurgeAsync($"{{\"tags\":[\"{tag}\"]}}", SlowDistribution))
        {
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        }

        using (var first = await inFlight)
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        Assert.Equal("Miss from orleansedge", await edge.XCacheAsync(target, SlowHost));
        Assert.Equal(2, edge.Origin.Requests(target));
    }

    [Fact]
    public async Task SoftPurge_NextRequestRevalidates_RefreshHit()
    {
        var tag = $"soft-{Guid.NewGuid():N}";
        var target = Tagged("/soft", tag) + "&etag=e1";
        await WarmAsync(target);
        using (await edge.PurgeAsync($"{{\"tags\":[\"{tag}\"],\"soft\":true}}"))
        {
        }

        Assert.Equal("RefreshHit from orleansedge", await edge.XCacheAsync(target));
        Assert.Equal("Hit from orleansedge", await edge.XCacheAsync(target));
    }

    [Fact]
    public async Task TenantPurge_OnlyThatTenantsCopies()
    {
        var target = $"/shared/{Guid.NewGuid():N}";
        await edge.XCacheAsync(target);
        await edge.XCacheAsync(target, "tenant1.test");
        Assert.Equal(2, edge.Origin.Requests(target));

        var request = new HttpRequestMessage(HttpMethod.Post, $"{edge.Control}/purge/E1TEST/tenant1")
        {
            Content = new StringContent($"{{\"paths\":[\"{target}\"]}}"),
        };
        request.Headers.Authorization = new("Bearer", GatewayFixture.PurgeToken);
        using (var purge = await edge.Http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        }

        Assert.Equal("Miss from orleansedge", await edge.XCacheAsync(target, "tenant1.test"));
        Assert.Equal("Hit from orleansedge", await edge.XCacheAsync(target));
    }

    [Fact]
    public async Task MissingOrWrongToken_401()
    {
        using var missing = await edge.PurgeAsync("{\"tags\":[\"a\"]}", token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        using var wrong = await edge.PurgeAsync("{\"tags\":[\"a\"]}", token: "guess");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Theory]
    [InlineData("{\"tags\":")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"tag\":[\"a\"]}")]
    [InlineData("{\"tags\":[]}")]
    [InlineData("{\"tags\":[\"two words\"]}")]
    [InlineData("{\"paths\":[\"no-slash\"]}")]
    [InlineData("{\"paths\":[\"/a*b\"]}")]
    public async Task BadBody_400WithReason(string json)
    {
        using var response = await edge.PurgeAsync(json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEmpty((await JsonAsync(response)).GetProperty("error").GetString()!);
    }

    [Fact]
    public async Task TagOf257Characters_400()
    {
        using var response = await edge.PurgeAsync($"{{\"tags\":[\"{new string('t', 257)}\"]}}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task UnknownDistributionOrTenant_404()
    {
        using var distribution = await edge.PurgeAsync("{\"tags\":[\"a\"]}", distribution: "ENOPE");
        Assert.Equal(HttpStatusCode.NotFound, distribution.StatusCode);
        using var tenant = await edge.PurgeAsync("{\"tags\":[\"a\"]}", distribution: "E1TEST/nobody");
        Assert.Equal(HttpStatusCode.NotFound, tenant.StatusCode);
    }

    [Fact]
    public async Task PurgeEndpoint_NotReachableOnViewerPort()
    {
        using var response = await edge.SendAsync(HttpMethod.Post, "e1.test", "/purge/E1TEST",
            r => r.Content = new StringContent("{\"paths\":[\"/*\"]}"));
        Assert.Equal("POST", response.Headers.GetValues("X-Origin-Method").Single());
    }

    [Fact]
    public async Task SpaceSeparatedSurrogateKeys_AreTags_WhenTheDistributionSaysSo()
    {
        var key = $"k{Guid.NewGuid():N}";
        var target = $"/fastly/{Guid.NewGuid():N}?tagHeader=Surrogate-Key&tags=" + Uri.EscapeDataString($"other {key} more");
        Assert.Equal("Miss from orleansedge", await edge.XCacheAsync(target, "fastly.test"));
        Assert.Equal("Hit from orleansedge", await edge.XCacheAsync(target, "fastly.test"));

        using var purge = await edge.PurgeAsync($"{{\"tags\":[\"{key}\"]}}", "E9FASTLY");
        Assert.Contains("\"invalidated\":1", await purge.Content.ReadAsStringAsync());
        Assert.Equal("Miss from orleansedge", await edge.XCacheAsync(target, "fastly.test"));
    }
}

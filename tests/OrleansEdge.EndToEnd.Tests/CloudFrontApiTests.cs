using System.Net;
using System.Text;
using System.Xml.Linq;

namespace OrleansEdge.EndToEnd.Tests;

/// <summary>The CloudFront XML API over raw HTTP: the gateway has no credentials and a loopback control plane, so unsigned calls are accepted.</summary>
[Collection(GatewayCollection.Name)]
public sealed class CloudFrontApiTests(GatewayFixture edge)
{
    private static readonly XNamespace Ns = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

    private static string Batch(string callerReference, params string[] paths) =>
        $"<InvalidationBatch xmlns=\"{Ns}\"><CallerReference>{callerReference}</CallerReference><Paths><Quantity>{paths.Length}</Quantity><Items>"
        + string.Concat(paths.Select(p => $"<Path>{System.Security.SecurityElement.Escape(p)}</Path>"))
        + "</Items></Paths></InvalidationBatch>";

    private Task<HttpResponseMessage> PostAsync(string path, string body) =>
        edge.Http.PostAsync($"{edge.Control}{path}", new StringContent(body, Encoding.UTF8));

    private static async Task<XElement> XmlAsync(HttpResponseMessage response) => XElement.Parse(await response.Content.ReadAsStringAsync());

    private static async Task<string> ErrorCodeAsync(HttpResponseMessage response) =>
        (await XmlAsync(response)).Element(Ns + "Error")!.Element(Ns + "Code")!.Value;

    private async Task<XElement> WaitCompletedAsync(string location)
    {
        for (var i = 0; i < 100; i++)
        {
            using var response = await edge.Http.GetAsync(location);
            var invalidation = await XmlAsync(response);
            if (invalidation.Element(Ns + "Status")!.Value == "Completed")
            {
                return invalidation;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The invalidation never completed.");
    }

    [Fact]
    public async Task CreateGetList_MixedItems_ViewerSeesEffect()
    {
        var tag = $"api-{Guid.NewGuid():N}";
        var tagged = $"/api-tagged/{Guid.NewGuid():N}?tags={tag}";
        var path = $"/api-path/{Guid.NewGuid():N}";
        var keep = $"/api-keep/{Guid.NewGuid():N}";
        foreach (var target in new[] { tagged, path, keep })
        {
            await edge.XCacheAsync(target);
        }

        using var created = await PostAsync("/2020-05-31/distribution/E1TEST/invalidation", Batch("ref-" + tag, $"#{tag}", path));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("text/xml", created.Content.Headers.ContentType!.MediaType);
        var invalidation = await XmlAsync(created);
        var id = invalidation.Element(Ns + "Id")!.Value;
        Assert.Matches("^I[A-Z0-9]{13}$", id);
        Assert.Equal($"{edge.Control}/2020-05-31/distribution/E1TEST/invalidation/{id}", created.Headers.Location!.ToString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", invalidation.Element(Ns + "CreateTime")!.Value);

        var completed = await WaitCompletedAsync(created.Headers.Location.ToString());
        Assert.Equal(["#" + tag, path], completed.Descendants(Ns + "Path").Select(p => p.Value));
        Assert.Equal("Miss from orleansedge", await edge.XCacheAsync(tagged));
        Assert.Equal("Miss from orleansedge", await edge.XCacheAsync(path));
        Assert.Equal("Hit from orleansedge", await edge.XCacheAsync(keep));

        using var list = await edge.Http.GetAsync($"{edge.Control}/2020-05-31/distribution/E1TEST/invalidation?MaxItems=1000");
        Assert.Contains(id, (await XmlAsync(list)).Descendants(Ns + "Id").Select(e => e.Value));
    }

    [Fact]
    public async Task TenantApi_CreateGetList_OnlyTenantCopies()
    {
        var target = $"/tenant-api/{Guid.NewGuid():N}";
        await edge.XCacheAsync(target);
        await edge.XCacheAsync(target, "tenant1.test");
        using var created = await PostAsync("/2020-05-31/distribution-tenant/tenant1/invalidation", Batch(Guid.NewGuid().ToString(), target));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains("/distribution-tenant/tenant1/invalidation/", created.Headers.Location!.ToString());
        var completed = await WaitCompletedAsync(created.Headers.Location.ToString());
        var id = completed.Element(Ns + "Id")!.Value;

        Assert.Equal("Miss from orleansedge", await edge.XCacheAsync(target, "tenant1.test"));
        Assert.Equal("Hit from orleansedge", await edge.XCacheAsync(target));

        using var tenantList = await edge.Http.GetAsync($"{edge.Control}/2020-05-31/distribution-tenant/tenant1/invalidation");
        Assert.Contains(id, (await XmlAsync(tenantList)).Descendants(Ns + "Id").Select(e => e.Value));
        using var distributionList = await edge.Http.GetAsync($"{edge.Control}/2020-05-31/distribution/E1TEST/invalidation?MaxItems=1000");
        Assert.DoesNotContain(id, (await XmlAsync(distributionList)).Descendants(Ns + "Id").Select(e => e.Value));
    }

    [Theory]
    [InlineData("", "MissingBody", 400)]
    [InlineData("<InvalidationBatch><CallerReference>r</CallerReference>", "MalformedXML", 400)]
    [InlineData("<InvalidationBatch><CallerReference>r</CallerReference><Paths><Quantity>2</Quantity><Items><Path>/a</Path></Items></Paths></InvalidationBatch>", "InconsistentQuantities", 400)]
    [InlineData("<InvalidationBatch><CallerReference>r</CallerReference><Paths><Quantity>1</Quantity><Items><Path>/img/*.jpg</Path></Items></Paths></InvalidationBatch>", "InvalidArgument", 400)]
    [InlineData("<InvalidationBatch><CallerReference>r</CallerReference><Paths><Quantity>1</Quantity><Items><Path>images/a.jpg</Path></Items></Paths></InvalidationBatch>", "InvalidArgument", 400)]
    [InlineData("<InvalidationBatch><CallerReference>r</CallerReference><Paths><Quantity>1</Quantity><Items><Path>#bad tag</Path></Items></Paths></InvalidationBatch>", "InvalidArgument", 400)]
    [InlineData("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><InvalidationBatch><CallerReference>&e;</CallerReference></InvalidationBatch>", "MalformedXML", 400)]
    public async Task BadBatch_CloudFrontErrorXml(string body, string code, int status)
    {
        using var response = await PostAsync("/2020-05-31/distribution/E1TEST/invalidation", body);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(code, await ErrorCodeAsync(response));
        Assert.True(response.Headers.Contains("x-amzn-RequestId"));
    }

    [Fact]
    public async Task InvalidItem_NamedInTheMessage()
    {
        using var response = await PostAsync("/2020-05-31/distribution/E1TEST/invalidation", Batch("r", "/ok", "/img/*.jpg"));
        var message = (await XmlAsync(response)).Descendants(Ns + "Message").Single().Value;
        Assert.Contains("/img/*.jpg", message);
    }

    [Fact]
    public async Task ThreeThousandAndOnePaths_BatchTooLarge()
    {
        var paths = Enumerable.Range(0, 3001).Select(i => $"/p/{i}").ToArray();
        using var response = await PostAsync("/2020-05-31/distribution/E1TEST/invalidation", Batch("big", paths));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("BatchTooLarge", await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task SixteenWildcards_BatchTooLarge()
    {
        var paths = Enumerable.Range(0, 16).Select(i => $"/w{i}/*").ToArray();
        using var response = await PostAsync("/2020-05-31/distribution/E1TEST/invalidation", Batch("wild", paths));
        Assert.Equal("BatchTooLarge", await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task SameCallerReference_SameBatchReturnsIt_OtherBatchConflicts()
    {
        var reference = Guid.NewGuid().ToString();
        using var first = await PostAsync("/2020-05-31/distribution/E1TEST/invalidation", Batch(reference, "/same"));
        using var again = await PostAsync("/2020-05-31/distribution/E1TEST/invalidation", Batch(reference, "/same"));
        Assert.Equal((await XmlAsync(first)).Element(Ns + "Id")!.Value, (await XmlAsync(again)).Element(Ns + "Id")!.Value);

        using var conflict = await PostAsync("/2020-05-31/distribution/E1TEST/invalidation", Batch(reference, "/other"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("InvalidationBatchAlreadyExists", await ErrorCodeAsync(conflict));
    }

    [Theory]
    [InlineData("/2020-05-31/distribution/ENOPE/invalidation", "NoSuchDistribution")]
    [InlineData("/2020-05-31/distribution/E1TEST/invalidation/INOSUCHID00000", "NoSuchInvalidation")]
    [InlineData("/2020-05-31/distribution-tenant/nobody/invalidation", "EntityNotFound")]
    [InlineData("/2020-05-31/distribution/E1TEST/invalidation?MaxItems=abc", "InvalidArgument")]
    [InlineData("/2020-05-31/distribution/E1TEST/invalidation?MaxItems=0", "InvalidArgument")]
    public async Task UnknownOrBadRequests_CloudFrontErrors(string path, string code)
    {
        using var response = await edge.Http.GetAsync(edge.Control + path);
        Assert.Equal(code, await ErrorCodeAsync(response));
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
    }

    [Fact]
    public async Task List_PagedWithMarker_NewestFirst()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var created = await PostAsync("/2020-05-31/distribution-tenant/tenant1/invalidation", Batch(Guid.NewGuid().ToString(), $"/page/{i}"));
            ids.Add((await XmlAsync(created)).Element(Ns + "Id")!.Value);
        }

        using var firstPage = await edge.Http.GetAsync($"{edge.Control}/2020-05-31/distribution-tenant/tenant1/invalidation?MaxItems=2");
        var first = await XmlAsync(firstPage);
        Assert.Equal("true", first.Element(Ns + "IsTruncated")!.Value);
        Assert.Equal([ids[2], ids[1]], first.Descendants(Ns + "Id").Select(e => e.Value));
        var marker = first.Element(Ns + "NextMarker")!.Value;
        using var secondPage = await edge.Http.GetAsync($"{edge.Control}/2020-05-31/distribution-tenant/tenant1/invalidation?Marker={marker}&MaxItems=2");
        Assert.Equal(ids[0], (await XmlAsync(secondPage)).Descendants(Ns + "Id").First().Value);
    }
}

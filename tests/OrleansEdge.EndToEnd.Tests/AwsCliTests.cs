using System.Net;
using System.Text.Json;

namespace OrleansEdge.EndToEnd.Tests;

/// <summary>A gateway that requires Signature Version 4, as any deployment with credentials does.</summary>
public sealed class SignedGatewayFixture : GatewayFixture
{
    public const string AccessKeyId = "AKIAEDGETEST00000001";
    public const string Secret = "e2e/secret/key";

    protected override IEnumerable<string> ExtraArguments =>
        [$"--Edge:Credentials:0:AccessKeyId={AccessKeyId}", $"--Edge:Credentials:0:SecretAccessKey={Secret}"];

    public AwsCli Cli => new(Control, AccessKeyId, Secret);
}

[CollectionDefinition(Name)]
public sealed class SignedGatewayCollection : ICollectionFixture<SignedGatewayFixture>
{
    public const string Name = "signed-gateway";
}

/// <summary>The real AWS CLI, unchanged but for --endpoint-url, against the invalidation API.</summary>
[Collection(SignedGatewayCollection.Name)]
public sealed class AwsCliTests(SignedGatewayFixture edge)
{
    private async Task<JsonElement> CreateAsync(params string[] paths)
    {
        var result = await edge.Cli.RunAsync(["cloudfront", "create-invalidation", "--distribution-id", "E1TEST", "--paths", .. paths]);
        Assert.True(result.ExitCode == 0, result.Error);
        return result.Json;
    }

    private async Task<JsonElement> WaitCompletedAsync(string id)
    {
        for (var i = 0; i < 50; i++)
        {
            var result = await edge.Cli.RunAsync("cloudfront", "get-invalidation", "--distribution-id", "E1TEST", "--id", id);
            Assert.True(result.ExitCode == 0, result.Error);
            if (result.Json.GetProperty("Invalidation").GetProperty("Status").GetString() == "Completed")
            {
                return result.Json.GetProperty("Invalidation");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{id} never completed");
    }

    [Fact]
    public async Task CreateInvalidation_TagPathWildcardMixed_ThenCompleted_ViewersMiss()
    {
        var tag = $"cli-{Guid.NewGuid():N}";
        var tagged = $"/cli/tagged/{Guid.NewGuid():N}?tags={tag}";
        var path = $"/cli/path/{Guid.NewGuid():N}";
        var folder = $"/cli/folder-{Guid.NewGuid():N}";
        var keep = $"/cli/keep/{Guid.NewGuid():N}";
        foreach (var target in new[] { tagged, path, folder + "/a.jpg?w=1", keep })
        {
            await edge.XCacheAsync(target);
            Assert.Equal("Hit from orleansedge", await edge.XCacheAsync(target));
        }

        var created = await CreateAsync($"#{tag}", path, folder + "/*");
        var invalidation = created.GetProperty("Invalidation");
        var id = invalidation.GetProperty("Id").GetString()!;
        Assert.Equal($"{edge.Control}/2020-05-31/distribution/E1TEST/invalidation/{id}", created.GetProperty("Location").GetString());
        Assert.Equal(3, invalidation.GetProperty("InvalidationBatch").GetProperty("Paths").GetProperty("Quantity").GetInt32());
        Assert.StartsWith("cli-", invalidation.GetProperty("InvalidationBatch").GetProperty("CallerReference").GetString());

        var completed = await WaitCompletedAsync(id);
        Assert.Equal(invalidation.GetProperty("CreateTime").GetString(), completed.GetProperty("CreateTime").GetString());
        Assert.Equal("Miss from orleansedge", await edge.XCacheAsync(tagged));
        Assert.Equal("Miss from orleansedge", await edge.XCacheAsync(path));
        Assert.Equal("Miss from orleansedge", await edge.XCacheAsync(folder + "/a.jpg?w=1"));
        Assert.Equal("Hit from orleansedge", await edge.XCacheAsync(keep));
    }

    [Fact]
    public async Task PathWithSpaceAndNonAscii_AsTyped_ReachesTheEncodedUrl()
    {
        var folder = $"/cli/enc-{Guid.NewGuid():N}";
        var encoded = $"{folder}/a%20b?y=%C3%A9";
        await edge.XCacheAsync(encoded);
        Assert.Equal("Hit from orleansedge", await edge.XCacheAsync(encoded));
        var created = await CreateAsync($"{folder}/a b?y=é");
        await WaitCompletedAsync(created.GetProperty("Invalidation").GetProperty("Id").GetString()!);
        Assert.Equal("Miss from orleansedge", await edge.XCacheAsync(encoded));
    }

    [Fact]
    public async Task ListInvalidations_PagedByTheCli()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await CreateAsync($"/cli/list/{Guid.NewGuid():N}")).GetProperty("Invalidation").GetProperty("Id").GetString()!);
        }

        var page = await edge.Cli.RunAsync("cloudfront", "list-invalidations", "--distribution-id", "E1TEST", "--page-size", "1", "--max-items", "2");
        Assert.True(page.ExitCode == 0, page.Error);
        var items = page.Json.GetProperty("InvalidationList").GetProperty("Items").EnumerateArray().Select(i => i.GetProperty("Id").GetString()!).ToArray();
        Assert.Equal([ids[2], ids[1]], items);
        var next = page.Json.GetProperty("NextToken").GetString()!;

        var rest = await edge.Cli.RunAsync("cloudfront", "list-invalidations", "--distribution-id", "E1TEST", "--page-size", "1", "--max-items", "1", "--starting-token", next);
        Assert.True(rest.ExitCode == 0, rest.Error);
        Assert.Equal(ids[0], rest.Json.GetProperty("InvalidationList").GetProperty("Items")[0].GetProperty("Id").GetString());
    }

    [Fact]
    public async Task SameCallerReference_IdempotentRetry_ConflictingRetryRejected()
    {
        var reference = $"ref-{Guid.NewGuid():N}";
        string Batch(string path) => $"{{\"Paths\":{{\"Quantity\":1,\"Items\":[\"{path}\"]}},\"CallerReference\":\"{reference}\"}}";
        var first = await edge.Cli.RunAsync("cloudfront", "create-invalidation", "--distribution-id", "E1TEST", "--invalidation-batch", Batch("/retry"));
        var retry = await edge.Cli.RunAsync("cloudfront", "create-invalidation", "--distribution-id", "E1TEST", "--invalidation-batch", Batch("/retry"));
        Assert.True(first.ExitCode == 0 && retry.ExitCode == 0, first.Error + retry.Error);
        Assert.Equal(first.Json.GetProperty("Invalidation").GetProperty("Id").GetString(), retry.Json.GetProperty("Invalidation").GetProperty("Id").GetString());

        var conflict = await edge.Cli.RunAsync("cloudfront", "create-invalidation", "--distribution-id", "E1TEST", "--invalidation-batch", Batch("/other"));
        Assert.Equal(254, conflict.ExitCode);
        Assert.Contains("InvalidationBatchAlreadyExists", conflict.Error);
    }

    [Fact]
    public async Task WrongSecret_AccessDenied()
    {
        var result = await edge.Cli.RunWithSecretAsync("not-the-secret", "cloudfront", "list-invalidations", "--distribution-id", "E1TEST");
        Assert.Equal(254, result.ExitCode);
        Assert.Contains("AccessDenied", result.Error);
    }

    [Fact]
    public async Task UnknownDistribution_NoSuchDistribution()
    {
        var result = await edge.Cli.RunAsync("cloudfront", "create-invalidation", "--distribution-id", "ENOPE", "--paths", "/x");
        Assert.Equal(254, result.ExitCode);
        Assert.Contains("NoSuchDistribution", result.Error);
    }

    [Fact]
    public async Task InvalidItem_InvalidArgumentNamingIt()
    {
        var result = await edge.Cli.RunAsync("cloudfront", "create-invalidation", "--distribution-id", "E1TEST", "--paths", "/img/*.jpg");
        Assert.Equal(254, result.ExitCode);
        Assert.Contains("InvalidArgument", result.Error);
        Assert.Contains("/img/*.jpg", result.Error);
    }

    [Fact]
    public async Task UnsignedRequest_403AccessDeniedXml()
    {
        using var response = await edge.Http.GetAsync($"{edge.Control}/2020-05-31/distribution/E1TEST/invalidation");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ReplayWithStaleDate_403()
    {
        var stale = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyyMMdd'T'HHmmss'Z'");
        var request = new HttpRequestMessage(HttpMethod.Get, $"{edge.Control}/2020-05-31/distribution/E1TEST/invalidation");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", stale);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={SignedGatewayFixture.AccessKeyId}/{stale[..8]}/us-east-1/cloudfront/aws4_request, SignedHeaders=host;x-amz-date, Signature={new string('0', 64)}");
        using var response = await edge.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("too far from the server time", await response.Content.ReadAsStringAsync());
    }
}

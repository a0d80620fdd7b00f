using Microsoft.AspNetCore.Http;
using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Gateway.Routing;
using OrleansEdge.Gateway.Viewer;
using OrleansEdge.Grains.Interfaces.Keys;

namespace OrleansEdge.Gateway.Tests.Viewer;

public sealed class ViewerCacheKeyTests
{
    private const string Scope = "E1  ";

    private static CachePolicy Policy(CachePolicyOptions? shop = null)
    {
        var options = new EdgeOptions();
        var distribution = new DistributionOptions();
        if (shop is null)
        {
            return CachePolicy.Resolve(CachePolicy.DefaultName, options, distribution);
        }

        options.CachePolicies["Shop"] = shop;
        return CachePolicy.Resolve("Shop", options, distribution);
    }

    private static string Key(string target, CachePolicy policy, params (string Name, string Value)[] headers)
    {
        var request = new DefaultHttpContext().Request;
        foreach (var (name, value) in headers)
        {
            request.Headers.Append(name, value);
        }

        var normal = RequestTargets.Normalize(target);
        var buffer = new char[ViewerCacheKey.MaxLength(Scope, normal, policy, request.Headers)];
        return new string(buffer, 0, ViewerCacheKey.Write(buffer, Scope, normal, policy, request.Headers));
    }

    [Fact]
    public void DefaultPolicy_KeysThePathAndEveryQueryString_NotCookiesOrHeaders()
    {
        var policy = Policy();
        Assert.Equal("E1  /p?a=1&b=2", Key("/p?b=2&a=1", policy, ("Cookie", "_ga=GA1.2.3"), ("Accept-Language", "fr")));
        Assert.Equal(Key("/p?a=1&b=2", policy), Key("/p?b=2&a=1", policy, ("Cookie", "_ga=1")));
    }

    [Theory]
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("gzip, deflate", "gzip")]
    [InlineData("br;q=0, gzip", "gzip")]
    [InlineData("BR;Q=0.5", "br")]
    [InlineData("gzip;q=0", null)]
    [InlineData("deflate", null)]
    [InlineData("identity", null)]
    [InlineData("*", "gzip")]
    public void AcceptEncoding_IsNormalisedToBrotliGzipOrNothing(string acceptEncoding, string? normal)
    {
        var key = Key("/p", Policy(), ("Accept-Encoding", acceptEncoding));
        Assert.Equal(normal is null ? "E1  /p" : $"E1  /p accept-encoding:{normal}", key);
    }

    [Fact]
    public void QueryStrings_AllowKeepsOnlyItsItems_AllExceptDropsThem()
    {
        var allow = Policy(new CachePolicyOptions { QueryStrings = new KeyItemsOptions { Behavior = "Allow", Items = ["id"] } });
        Assert.Equal("E1  /p?id=7", Key("/p?utm_source=x&id=7&page=2", allow));

        var allExcept = Policy(new CachePolicyOptions { QueryStrings = new KeyItemsOptions { Behavior = "AllExcept", Items = ["utm_source", "fbclid"] } });
        Assert.Equal("E1  /p?id=7&page=2", Key("/p?utm_source=x&id=7&fbclid=y&page=2", allExcept));

        var none = Policy(new CachePolicyOptions { QueryStrings = new KeyItemsOptions { Behavior = "None" } });
        Assert.Equal("E1  /p", Key("/p?id=7", none));
    }

    [Fact]
    public void Cookies_AllowedOnesAreKeyedSortedByName_OthersLeftOut()
    {
        var policy = Policy(new CachePolicyOptions { Cookies = new KeyItemsOptions { Behavior = "Allow", Items = ["session", "lang"] } });
        Assert.Equal("E1  /p cookie:lang=fr; session=abc", Key("/p", policy, ("Cookie", "_ga=1; session=abc;lang=fr ; _gid=2")));
        Assert.Equal("E1  /p", Key("/p", policy, ("Cookie", "_ga=1")));

        var all = Policy(new CachePolicyOptions { Cookies = new KeyItemsOptions { Behavior = "All" } });
        Assert.Equal("E1  /p cookie:a=1; b=2; b=1", Key("/p", all, ("Cookie", "b=2; a=1; b=1")));
    }

    [Fact]
    public void Headers_InTheKeyBecomeVariantLines_InOneOrder()
    {
        var policy = Policy(new CachePolicyOptions
        {
            Headers = ["X-Device", "Accept-Language"],
            Cookies = new KeyItemsOptions { Behavior = "Allow", Items = ["session"] },
        });
        var key = Key("/p", policy, ("x-device", "phone"), ("Accept-Language", " en-GB "), ("Accept-Encoding", "gzip"), ("Cookie", "session=1"));

        Assert.Equal("E1  /p accept-encoding:gzip\ncookie:session=1\naccept-language:en-GB\nx-device:phone", key);
        Assert.Equal(
            [("accept-encoding", "gzip"), ("cookie", "session=1"), ("accept-language", "en-GB"), ("x-device", "phone")],
            EdgeKeys.VariantHeaders(EdgeKeys.SplitObject(key).Variant).ToArray());
    }

    [Fact]
    public void ManyCookies_AreSortedOnTheHeap()
    {
        var all = Policy(new CachePolicyOptions { Cookies = new KeyItemsOptions { Behavior = "All" } });
        var cookies = string.Join("; ", Enumerable.Range(0, 100).Reverse().Select(i => $"c{i:D3}=v"));
        Assert.Equal("E1  /p cookie:" + string.Join("; ", Enumerable.Range(0, 100).Select(i => $"c{i:D3}=v")), Key("/p", all, ("Cookie", cookies)));
    }
}

using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Keys;

namespace OrleansEdge.Grains.Tests.Keys;

public sealed class RequestTargetsTests
{
    [Theory]
    [InlineData("/page1", "/page1")]
    [InlineData("/x/../page1", "/page1")]
    [InlineData("/./page1", "/page1")]
    [InlineData("/%70age1", "/page1")]
    [InlineData("/%70%61ge1", "/page1")]
    [InlineData("/a/b/../../page1", "/page1")]
    [InlineData("/../../page1", "/page1")]
    [InlineData("/%2E%2E/page1", "/page1")]
    [InlineData("/a/.", "/a/")]
    [InlineData("/a/b/..", "/a/")]
    [InlineData("/..", "/")]
    [InlineData("/a//b", "/a//b")]
    [InlineData("/a//../b", "/a/b")]
    [InlineData("/a%2fb", "/a%2Fb")]
    [InlineData("/a%2Fb", "/a%2Fb")]
    [InlineData("/caf%c3%a9", "/caf%C3%A9")]
    [InlineData("/café", "/caf%C3%A9")]
    [InlineData("/a b", "/a%20b")]
    [InlineData("/100%", "/100%25")]
    [InlineData("/a|b", "/a%7Cb")]
    [InlineData("/p?b=2&a=1", "/p?a=1&b=2")]
    [InlineData("/p?a=1&b=2", "/p?a=1&b=2")]
    [InlineData("/p?b=1&a=2&b=0", "/p?a=2&b=1&b=0")]
    [InlineData("/p?a=1&&b=2&", "/p?a=1&b=2")]
    [InlineData("/p?", "/p")]
    [InlineData("/p?&", "/p")]
    [InlineData("/p?q=%7e", "/p?q=~")]
    [InlineData("/p?q=a%26b&a=1", "/p?a=1&q=a%26b")]
    [InlineData("/p?flag", "/p?flag")]
    [InlineData("/a/./b/../c?z&y=1", "/a/c?y=1&z")]
    public void EverySpelling_HasOneNormalForm(string sent, string normal)
    {
        Assert.Equal(normal, RequestTargets.Normalize(sent));
        Assert.True(RequestTargets.IsNormal(normal), normal);
        Assert.Equal(normal, RequestTargets.Normalize(normal));
        Assert.Equal(sent == normal, RequestTargets.IsNormal(sent));
    }

    [Fact]
    public void NormalTarget_IsReturnedAsItIs()
    {
        var target = "/a/b?c=1&d=2";
        Assert.Same(target, RequestTargets.Normalize(target));
    }

    [Theory]
    [InlineData("/a/.", "/a/.")]
    [InlineData("/a/..", "/a/..")]
    [InlineData("/x/../img/", "/img/")]
    [InlineData("/%70ics/", "/pics/")]
    [InlineData("/p?b=1&a", "/p?b=1&a")]
    public void WildcardPrefix_KeepsItsLastPartialSegment(string prefix, string normal) =>
        Assert.Equal(normal, RequestTargets.NormalizePrefix(prefix));

    [Theory]
    [InlineData("/x/../page1", "/page1")]
    [InlineData("/%70age1", "/page1")]
    [InlineData("/p?b=2&a=1", "/p?a=1&b=2")]
    [InlineData("/a b", "/a%20b")]
    public void InvalidationPaths_AreReadInTheFormKeysHold(string item, string normal)
    {
        Assert.True(InvalidationItemParser.TryParse(item, 4000, out var parsed, out _));
        Assert.Equal(new InvalidationItem(InvalidationItemKind.Path, normal), parsed);
    }

    [Fact]
    public void WildcardItems_AreReadInTheFormKeysHold()
    {
        Assert.True(InvalidationItemParser.TryParse("/x/../%70ics/*", 4000, out var parsed, out _));
        Assert.Equal(new InvalidationItem(InvalidationItemKind.Prefix, "/pics/"), parsed);
    }
}

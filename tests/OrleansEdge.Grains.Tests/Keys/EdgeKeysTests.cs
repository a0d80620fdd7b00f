using OrleansEdge.Grains.Interfaces.Keys;

namespace OrleansEdge.Grains.Tests.Keys;

public sealed class EdgeKeysTests
{
    [Fact]
    public void ObjectKey_SplitsBackIntoItsParts()
    {
        var key = EdgeKeys.Object("E1", "tenant1", "/a/b?c=d");
        Assert.Equal(("E1", "tenant1", "/a/b?c=d", ""), EdgeKeys.SplitObject(key));
        Assert.Equal(("E1", "", "/x", ""), EdgeKeys.SplitObject(EdgeKeys.Object("E1", "", "/x")));
    }

    [Fact]
    public void VariantKey_SplitsBackIntoTargetAndTheHeadersItsFillSends()
    {
        var variant = "accept-encoding:gzip\ncookie:a=1; b=two words\naccept-language:en-GB, fr;q=0.5";
        var key = EdgeKeys.VariantObject(EdgeKeys.Scope("E1", ""), "/p?x=1", variant);

        Assert.Equal(("E1", "", "/p?x=1", variant), EdgeKeys.SplitObject(key));
        Assert.Equal(EdgeKeys.Object("E1", "", "/p?x=1"), EdgeKeys.BaseOf(key));
        Assert.Equal("/p?x=1", EdgeKeys.TargetOf(key.AsSpan(EdgeKeys.Scope("E1", "").Length)).ToString());
        Assert.Equal(
            [("accept-encoding", "gzip"), ("cookie", "a=1; b=two words"), ("accept-language", "en-GB, fr;q=0.5")],
            EdgeKeys.VariantHeaders(variant).ToArray());
    }

    [Fact]
    public void KeyWithoutVariant_IsItsOwnBase()
    {
        var key = EdgeKeys.Object("E1", "t", "/a");
        Assert.Same(key, EdgeKeys.BaseOf(key));
        Assert.Equal(key, EdgeKeys.VariantObject(EdgeKeys.Scope("E1", "t"), "/a", ""));
    }

    [Fact]
    public void TenantsNeverShareKeys() =>
        Assert.NotEqual(EdgeKeys.Object("E1", "", "/a"), EdgeKeys.Object("E1", "t", "/a"));

    [Fact]
    public void TagKey_SplitsBackIntoScopeHeaderAndTag()
    {
        var key = EdgeKeys.Tag("E1", "t", "X-Amz-Meta-Cache-Tag", "product:1");
        Assert.Equal((EdgeKeys.Scope("E1", "t"), "x-amz-meta-cache-tag", "product:1"), EdgeKeys.SplitTag(key));
        Assert.Equal(EdgeKeys.Scope("E1", ""), EdgeKeys.ScopeOf(EdgeKeys.Object("E1", "", "/a")));
    }
}

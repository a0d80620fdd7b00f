using OrleansEdge.Grains.Interfaces.Keys;

namespace OrleansEdge.Grains.Tests.Keys;

public sealed class EdgeKeysTests
{
    [Fact]
    public void ObjectKey_SplitsBackIntoItsParts()
    {
        var key = EdgeKeys.Object("E1", "tenant1", "/a/b?c=d e");
        Assert.Equal(("E1", "tenant1", "/a/b?c=d e"), EdgeKeys.SplitObject(key));
        Assert.Equal(("E1", "", "/x"), EdgeKeys.SplitObject(EdgeKeys.Object("E1", "", "/x")));
    }

    [Fact]
    public void TenantsNeverShareKeys() =>
        Assert.NotEqual(EdgeKeys.Object("E1", "", "/a"), EdgeKeys.Object("E1", "t", "/a"));

    [Fact]
    public void TagKey_SplitsBackIntoScopeHeaderAndTag()
    {
        var key = EdgeKeys.Tag("E1", "t", "X-Amz-Meta-Cache-Tag", "product:1");
        Assert.Equal((EdgeKeys.Scope("E1", "t"), "x-amz-meta-cache-tag", "product:1"), EdgeKeys.SplitTag(key));
        Assert.Equal(EdgeKeys.Scope("E1", ""), EdgeKeys.ScopeOf(EdgeKeys.Object("E1", "", "/a b")));
    }
}

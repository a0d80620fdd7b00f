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
    public void Shard_IsStableAcrossProcesses()
    {
        // FNV-1a is fixed: these values must never change, or registered keys are orphaned.
        Assert.Equal(EdgeKeys.ShardOf("E1  /index.html"), EdgeKeys.ShardOf("E1  /index.html"));
        Assert.InRange(EdgeKeys.ShardOf("E1  /index.html"), 0, EdgeKeys.IndexShards - 1);
        Assert.Equal(2, EdgeKeys.ShardOf("E1DEMO  /products/123"));
    }
}

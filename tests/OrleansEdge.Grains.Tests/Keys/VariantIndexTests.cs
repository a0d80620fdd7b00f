using OrleansEdge.Grains.Interfaces.Keys;

namespace OrleansEdge.Grains.Tests.Keys;

public sealed class VariantIndexTests
{
    private static readonly string Scope = EdgeKeys.Scope("E1", "");

    [Fact]
    public void PathFindsEveryVariantOfItsUrl_AndNoOtherUrl()
    {
        var index = new VariantIndex();
        var plain = EdgeKeys.Object(Scope, "/p");
        var gzip = EdgeKeys.VariantObject(Scope, "/p", "accept-encoding:gzip");
        var brotli = EdgeKeys.VariantObject(Scope, "/p", "accept-encoding:br");
        var other = EdgeKeys.VariantObject(Scope, "/p2", "accept-encoding:br");
        foreach (var key in new[] { plain, gzip, brotli, other })
        {
            index.Add(key);
        }

        Assert.Equal(new[] { plain, gzip, brotli }.Order(StringComparer.Ordinal), index.KeysOf(plain).Order(StringComparer.Ordinal));
        index.Remove(gzip);
        index.Remove(brotli);
        Assert.Equal([plain], index.KeysOf(plain));
    }
}

using OrleansEdge.Grains.Interfaces.Caching;
using OrleansEdge.Grains.Interfaces.Tags;

namespace OrleansEdge.Grains.Tests.Caching;

public sealed class StringPoolTests
{
    [Fact]
    public void EqualValues_AreOneInstance_LongOnesAreNotPooled()
    {
        var pool = new StringPool(64);
        var first = pool.Intern(new string("text/html; charset=utf-8".AsSpan()));
        Assert.Same(first, pool.Intern(new string("text/html; charset=utf-8".AsSpan())));
        Assert.Same(first, pool.Intern("text/html; charset=utf-8".AsSpan()));

        var longValue = new string('x', StringPool.MaxLength + 1);
        Assert.NotSame(pool.Intern(longValue.AsSpan()), pool.Intern(longValue.AsSpan()));
    }

    [Fact]
    public void ACollision_ReplacesTheSlot_AndNeverReturnsAnotherValue()
    {
        var pool = new StringPool(1);
        Assert.Equal("a", pool.Intern("a"));
        Assert.Equal("b", pool.Intern("b"));
        Assert.Equal("a", pool.Intern("a".AsSpan()));
    }

    [Fact]
    public void TagsSharedByManyObjects_AreOneString()
    {
        var first = CacheTagRules.Parse(["Category:Books, product:1"]).Tags;
        var second = CacheTagRules.Parse(["category:books,product:2"]).Tags;
        Assert.Same(first[0], second[0]);
        Assert.Equal("category:books", first[0]);
    }
}

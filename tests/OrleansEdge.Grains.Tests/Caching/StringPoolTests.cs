using OrleansEdge.Grains.Interfaces.Objects;
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

    [Fact]
    public void ACopyFromAnotherProcess_KeepsThePoolsNamesValuesAndTags_AndNothingElseChanges()
    {
        // Slots enough that two of the test's six strings share one (the later replacing the earlier, as the pool is
        // meant to) about once in 70,000 runs: string hashes are seeded per process, so 1,024 slots failed one in 70.
        var pool = new StringPool(1 << 20);
        CachedResponse Arrived() => new()
        {
            Status = 200,
            Headers = [new HeaderField(new string("Content-Type"), [new string("text/html")]), new HeaderField(new string("Set-Cookie"), [new string("a=1"), new string("b=2")])],
            Body = [1, 2, 3],
            Tags = [new string("category:books")],
            FetchStarted = DateTimeOffset.UnixEpoch,
            Received = DateTimeOffset.UnixEpoch,
            FreshUntil = DateTimeOffset.UnixEpoch.AddHours(1),
            ETag = "\"v1\"",
        };

        var first = pool.Intern(Arrived());
        var arrived = Arrived();
        var second = pool.Intern(arrived);

        Assert.Same(first.Headers[0].Name, second.Headers[0].Name);
        Assert.Same(first.Headers[0].Values.ToString(), second.Headers[0].Values.ToString());
        Assert.Same(first.Headers[1].Values[1], second.Headers[1].Values[1]);
        Assert.Same(first.Tags[0], second.Tags[0]);
        Assert.Equal("a=1,b=2", second.Headers[1].Values.ToString());
        Assert.Equal(arrived with { Headers = second.Headers, Tags = second.Tags }, second);
        Assert.Same(arrived.Body, second.Body);
    }
}

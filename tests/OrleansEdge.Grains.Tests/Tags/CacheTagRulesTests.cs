using OrleansEdge.Grains.Interfaces.Tags;

namespace OrleansEdge.Grains.Tests.Tags;

public sealed class CacheTagRulesTests
{
    [Fact]
    public void Parse_CommaListWithOrWithoutSpaces_SameTags()
    {
        Assert.Equal(CacheTagRules.Parse(["a,b,c"]).Tags, CacheTagRules.Parse(["a, b , c "]).Tags);
        Assert.Equal(["a", "b", "c"], CacheTagRules.Parse(["  a,   b,c  "]).Tags);
    }

    [Fact]
    public void Parse_TagsDifferingOnlyInCase_OneLowerCaseTag()
    {
        var parsed = CacheTagRules.Parse(["Product:Electronics, product:electronics, PRODUCT:ELECTRONICS"]);
        Assert.Equal(["product:electronics"], parsed.Tags);
    }

    [Fact]
    public void Parse_MoreThanFiftyTags_OnlyFirstFiftyCount()
    {
        var tags = Enumerable.Range(1, 51).Select(i => $"t{i}");
        var parsed = CacheTagRules.Parse([string.Join(",", tags)]);
        Assert.Equal(50, parsed.Tags.Length);
        Assert.Equal("t50", parsed.Tags[^1]);
        Assert.DoesNotContain("t51", parsed.Tags);
        Assert.Equal(1, parsed.BeyondLimit);
    }

    [Fact]
    public void Parse_TagOf256Characters_Kept_257Ignored()
    {
        var longest = new string('a', 256);
        var tooLong = new string('b', 257);
        var parsed = CacheTagRules.Parse([$"{longest},{tooLong},ok"]);
        Assert.Equal([longest, "ok"], parsed.Tags);
        Assert.Equal(1, parsed.Invalid);
    }

    [Theory]
    [InlineData("caf\u00e9")]
    [InlineData("tab\there")]
    [InlineData("del\u007f")]
    [InlineData("two words")]
    public void Parse_TagOutsideVisibleAscii_IgnoredAndCounted(string bad)
    {
        var parsed = CacheTagRules.Parse([$"good,{bad}"]);
        Assert.Equal(["good"], parsed.Tags);
        Assert.Equal(1, parsed.Invalid);
    }

    [Fact]
    public void Parse_EveryVisibleAsciiCharacterButComma_Accepted()
    {
        var all = new string(Enumerable.Range(33, 94).Select(c => (char)c).Where(c => c != ',').ToArray());
        Assert.Equal([all.ToLowerInvariant()], CacheTagRules.Parse([all]).Tags);
    }

    [Fact]
    public void Parse_EmptyItemsAndSeveralHeaderLines_Combined()
    {
        var parsed = CacheTagRules.Parse(["a,,b", "c"]);
        Assert.Equal(["a", "b", "c"], parsed.Tags);
        Assert.Equal(0, parsed.Invalid);
    }

    [Theory]
    [InlineData("x-amz-meta-cache-tag", true)]
    [InlineData("Cache-Tag", true)]
    [InlineData("x!#$%&'*+-.^_`|~9", true)]
    [InlineData("", false)]
    [InlineData("bad header", false)]
    [InlineData("bad:header", false)]
    [InlineData("bad(header)", false)]
    [InlineData("caf\u00e9", false)]
    public void IsValidHeaderName_FollowsRfc7230Token(string name, bool valid) =>
        Assert.Equal(valid, CacheTagRules.IsValidHeaderName(name));

    [Fact]
    public void IsValidHeaderName_255CharactersValid_256Not()
    {
        Assert.True(CacheTagRules.IsValidHeaderName(new string('h', 255)));
        Assert.False(CacheTagRules.IsValidHeaderName(new string('h', 256)));
    }

    [Fact]
    public void SpaceSeparatedList_AsFastlysSurrogateKey_IsReadWithASpaceSeparator()
    {
        var parsed = CacheTagRules.Parse(["product:1  Category:Books", "all"], ' ');
        Assert.Equal(["product:1", "category:books", "all"], parsed.Tags);

        // Under the comma rule the same value is one tag with spaces: invalid, ignored and counted.
        var comma = CacheTagRules.Parse(["product:1 category:books"]);
        Assert.Empty(comma.Tags);
        Assert.Equal(1, comma.Invalid);
    }
}

using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Grains.Tests.Invalidations;

public sealed class InvalidationItemParserTests
{
    private static InvalidationItem Parse(string item)
    {
        Assert.True(InvalidationItemParser.TryParse(item, 4000, out var parsed, out var error), error);
        return parsed;
    }

    private static string Reject(string item, int maxLength = 4000)
    {
        Assert.False(InvalidationItemParser.TryParse(item, maxLength, out _, out var error));
        return error;
    }

    [Fact]
    public void Tag_LowerCasedExactMatch() =>
        Assert.Equal(new InvalidationItem(InvalidationItemKind.Tag, "product:electronics"), Parse("#Product:Electronics"));

    [Fact]
    public void Path_KeepsQueryString() =>
        Assert.Equal(new InvalidationItem(InvalidationItemKind.Path, "/a.jpg?p=1"), Parse("/a.jpg?p=1"));

    [Theory]
    [InlineData("/images/*", "/images/")]
    [InlineData("/a.jpg*", "/a.jpg")]
    [InlineData("/*", "/")]
    public void TrailingStar_IsPrefix(string item, string prefix) =>
        Assert.Equal(new InvalidationItem(InvalidationItemKind.Prefix, prefix), Parse(item));

    [Fact]
    public void UnsafeAndNonAsciiCharacters_PercentEncodedAsClientsSendThem() =>
        Assert.Equal("/a%20b?x=1&y=%C3%A9", Parse("/a b?x=1&y=é").Value);

    [Fact]
    public void AlreadyEncoded_Unchanged() => Assert.Equal("/a%20b", Parse("/a%20b").Value);

    [Theory]
    [InlineData("/img/*.jpg", "not its last character")]
    [InlineData("images/a.jpg", "must start with '/'")]
    [InlineData("#", "not a valid cache tag")]
    [InlineData("#two words", "not a valid cache tag")]
    [InlineData("#a,b", "not a valid cache tag")]
    public void InvalidItems_RejectedWithReason(string item, string reason) =>
        Assert.Contains(reason, Reject(item));

    [Fact]
    public void WildcardsInTags_AreLiteral() => Assert.Equal("product*", Parse("#product*").Value);

    [Fact]
    public void TooLong_Rejected()
    {
        Assert.Contains("longer than 4000", Reject("/" + new string('a', 4000)));
        Parse("/" + new string('a', 3999));
    }

    [Fact]
    public void TagOf257Characters_Rejected() => Assert.Contains("not a valid cache tag", Reject("#" + new string('t', 257)));
}

using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Grains.Tests.Invalidations;

public sealed class TagMembersTests
{
    private const string Scope = "E1  ";

    [Fact]
    public void OneKey_ThenMany_ThenOneAgain_ThenNone()
    {
        var members = new TagMembers();
        Assert.True(members.Add(Scope, "X-Tag", "t", "k1"));
        Assert.False(members.Add(Scope, "x-tag", "t", "k1"));
        Assert.Equal(["k1"], members.KeysOf(Scope, "x-tag", "t"));

        Assert.True(members.Add(Scope, "x-tag", "t", "k2"));
        Assert.Equal(["k1", "k2"], members.KeysOf(Scope, "X-TAG", "t").Order());
        Assert.Equal(1, members.Tags);

        Assert.True(members.Remove(Scope, "x-tag", "t", "k1"));
        Assert.False(members.Remove(Scope, "x-tag", "t", "k1"));
        Assert.Equal(["k2"], members.KeysOf(Scope, "x-tag", "t"));
        Assert.True(members.Remove(Scope, "x-tag", "t", "k2"));
        Assert.Empty(members.KeysOf(Scope, "x-tag", "t"));
        Assert.Equal(0, members.Tags);
    }

    [Fact]
    public void ScopesHeadersAndTags_KeptApart()
    {
        var members = new TagMembers();
        members.Add(Scope, "x-tag", "t", "k1");
        Assert.Empty(members.KeysOf("E1 tenant ", "x-tag", "t"));
        Assert.Empty(members.KeysOf(Scope, "x-other", "t"));
        Assert.Empty(members.KeysOf(Scope, "x-tag", "T"));
        Assert.False(members.Remove(Scope, "x-tag", "t", "k2"));
        Assert.Equal(["k1"], members.KeysOf(Scope, "x-tag", "t"));
    }
}

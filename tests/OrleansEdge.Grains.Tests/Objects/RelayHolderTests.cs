using System.Net;
using OrleansEdge.Grains.Objects;

namespace OrleansEdge.Grains.Tests.Objects;

/// <summary>The body too large to store that an object grain keeps for one viewer: handed over once, or let go.</summary>
public sealed class RelayHolderTests
{
    private sealed class Expiry : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    private static OriginRelay Relay(byte[] readAlready, byte[] rest) =>
        new(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(rest) }, opened: null, readAlready, TimeSpan.FromSeconds(5));

    private static async Task<byte[]> DrainAsync(IAsyncEnumerable<byte[]> chunks)
    {
        using var body = new MemoryStream();
        await foreach (var chunk in chunks)
        {
            body.Write(chunk);
        }

        return body.ToArray();
    }

    [Fact]
    public async Task Claimed_TheBytesReadAlreadyThenTheRest_Once()
    {
        var holder = new RelayHolder();
        var expiry = new Expiry();
        var readAlready = Enumerable.Range(0, 70_000).Select(i => (byte)i).ToArray();
        await holder.HoldAsync(7, Relay(readAlready, [1, 2, 3]), expiry);
        Assert.False(holder.Idle);

        Assert.Equal([.. readAlready, 1, 2, 3], await DrainAsync(holder.RelayAsync(7, default)));
        Assert.True(expiry.Disposed);
        Assert.True(holder.Idle);
        await Assert.ThrowsAsync<InvalidOperationException>(() => DrainAsync(holder.RelayAsync(7, default)));
    }

    [Fact]
    public async Task AnotherFetchsNumber_NotHandedOver()
    {
        var holder = new RelayHolder();
        await holder.HoldAsync(7, Relay([], [1]), new Expiry());
        await Assert.ThrowsAsync<InvalidOperationException>(() => DrainAsync(holder.RelayAsync(8, default)));
        Assert.Equal([1], await DrainAsync(holder.RelayAsync(7, default)));
    }

    [Fact]
    public async Task LetGo_OnlyTheBodyItNames_ThenNothingToClaim()
    {
        var holder = new RelayHolder();
        var expiry = new Expiry();
        await holder.HoldAsync(7, Relay([], [1]), expiry);

        await holder.LetGoAsync(6);
        Assert.False(holder.Idle);

        await holder.LetGoAsync(7);
        Assert.True(holder.Idle);
        Assert.True(expiry.Disposed);
        await Assert.ThrowsAsync<InvalidOperationException>(() => DrainAsync(holder.RelayAsync(7, default)));
    }

    [Fact]
    public async Task ANewerBody_LetsTheOlderGo()
    {
        var holder = new RelayHolder();
        var older = new Expiry();
        await holder.HoldAsync(1, Relay([], [1]), older);
        await holder.HoldAsync(2, Relay([], [2]), new Expiry());

        Assert.True(older.Disposed);
        await Assert.ThrowsAsync<InvalidOperationException>(() => DrainAsync(holder.RelayAsync(1, default)));
        Assert.Equal([2], await DrainAsync(holder.RelayAsync(2, default)));
    }
}

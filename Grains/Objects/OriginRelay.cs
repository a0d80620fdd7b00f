using System.Runtime.CompilerServices;

namespace OrleansEdge.Grains.Objects;

/// <summary>
/// An origin response too large to store, kept open for the viewer whose lookup fetched it: the bytes read before the
/// limit was passed, then the rest as the origin sends it. The viewer gets the one response the origin sent, and the
/// origin is not asked twice.
/// </summary>
internal sealed class OriginRelay(HttpResponseMessage response, Stream? opened, byte[] readAlready, TimeSpan readTimeout) : IAsyncDisposable
{
    /// <summary>Bytes per element of the stream to the gateway: large enough to keep calls few, small enough to start soon.</summary>
    public const int ChunkBytes = 64 * 1024;

    public int Status => (int)response.StatusCode;

    public long? ContentLength => response.Content.Headers.ContentLength;

    /// <summary>The body, each chunk a new array (elements cross to the gateway as they are). A read that stalls past the origin's timeout ends it.</summary>
    public async IAsyncEnumerable<byte[]> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < readAlready.Length; offset += ChunkBytes)
        {
            yield return readAlready.AsSpan(offset, Math.Min(ChunkBytes, readAlready.Length - offset)).ToArray();
        }

        var body = opened ?? await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[ChunkBytes];
        while (true)
        {
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            stall.CancelAfter(readTimeout);
            var read = await body.ReadAsync(buffer, stall.Token);
            if (read == 0)
            {
                yield break;
            }

            yield return buffer.AsSpan(0, read).ToArray();
        }
    }

    public ValueTask DisposeAsync()
    {
        opened?.Dispose();
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}

namespace OrleansEdge.Gateway.Viewer;

/// <summary>
/// A viewer's request body as it is forwarded to the origin. A failure reading it (a broken chunk size, a body too
/// large, a viewer gone) surfaces as <see cref="ViewerBodyException"/>, so the edge answers it as the viewer's
/// fault and never as the origin's.
/// </summary>
internal sealed class ViewerBodyStream(Stream viewerBody) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await viewerBody.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw new ViewerBodyException(exception);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>The viewer's request body could not be read; <see cref="StatusCode"/> is what to answer it.</summary>
internal sealed class ViewerBodyException(Exception inner)
    : IOException("The request body could not be read: " + inner.Message, inner)
{
    public int StatusCode { get; } = inner is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status400BadRequest;
}

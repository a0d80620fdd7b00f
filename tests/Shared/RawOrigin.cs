using System.Net;
using System.Net.Sockets;

namespace OrleansEdge.Tests.Shared;

/// <summary>
/// An origin that answers every request with the same bytes, written as they are: for responses a well-behaved
/// server would refuse to send (obs-text, control characters in header values).
/// </summary>
public sealed class RawOrigin : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly byte[] _response;
    private readonly bool _closeAfterResponse;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _requests;

    private RawOrigin(byte[] response, bool closeAfterResponse = false)
    {
        _response = response;
        _closeAfterResponse = closeAfterResponse;
        // A port from FreePort, never one the kernel picks: a port FreePort handed out stays free until its owner (a
        // gateway still starting) binds it, and a listener here must not take it in the meantime.
        _listener = new TcpListener(IPAddress.Loopback, FreePort.Next());
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Answers with a head (status line and headers, without the blank line) and a body; Content-Length is added.</summary>
    public static RawOrigin Start(byte[] head, byte[] body) =>
        new([.. head, .. System.Text.Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"), .. body]);

    /// <summary>
    /// Answers with a head declaring a body of <paramref name="declaredLength"/> bytes, sends only <paramref name="body"/>,
    /// and closes the connection: an origin that dies in the middle of a response.
    /// </summary>
    public static RawOrigin StartCutOff(byte[] head, long declaredLength, byte[] body) =>
        new([.. head, .. System.Text.Encoding.ASCII.GetBytes($"Content-Length: {declaredLength}\r\n\r\n"), .. body], closeAfterResponse: true);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new byte[16 * 1024];
            var seen = new List<byte>();
            try
            {
                while (true)
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    seen.AddRange(buffer.AsSpan(0, read).ToArray());
                    while (IndexOfHeadEnd(seen) is var end and >= 0)
                    {
                        seen.RemoveRange(0, end + 4);
                        Interlocked.Increment(ref _requests);
                        await stream.WriteAsync(_response, _stop.Token);
                        if (_closeAfterResponse)
                        {
                            return;
                        }
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException or SocketException)
            {
            }
        }
    }

    private static int IndexOfHeadEnd(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}

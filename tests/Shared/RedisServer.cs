using System.Diagnostics;

namespace OrleansEdge.Tests.Shared;

/// <summary>
/// The Redis the cluster tests use: the one ./scripts/test.sh started (ORLEANSEDGE_TEST_REDIS), or else a
/// private redis-server on a free loopback port, stopped by its PID afterwards.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly int _port;
    private readonly string? _appendOnlyDirectory;
    private Process? _process;

    private RedisServer(string connectionString, int port, string? appendOnlyDirectory)
    {
        ConnectionString = connectionString;
        _port = port;
        _appendOnlyDirectory = appendOnlyDirectory;
    }

    public string ConnectionString { get; }

    public static async Task<RedisServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("ORLEANSEDGE_TEST_REDIS") is { Length: > 0 } shared)
        {
            return new RedisServer(shared, 0, null);
        }

        return await StartPrivateAsync(durable: false);
    }

    /// <summary>
    /// A redis-server of the caller's own. Durable: every write goes to an append-only file before Redis
    /// answers, so a kill and <see cref="RestartAsync"/> lose nothing that was acknowledged.
    /// </summary>
    public static async Task<RedisServer> StartPrivateAsync(bool durable)
    {
        var port = FreePort.Next();
        var directory = durable ? Directory.CreateTempSubdirectory("orleansedge-redis-").FullName : null;
        var server = new RedisServer($"127.0.0.1:{port}", port, directory);
        await server.LaunchAsync();
        return server;
    }

    /// <summary>Kills this Redis (SIGKILL, no shutdown of its own) and starts it again on the same port and files.</summary>
    public async Task RestartAsync(TimeSpan downtime)
    {
        await StopAsync();
        await Task.Delay(downtime);
        await LaunchAsync();
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_appendOnlyDirectory is not null)
        {
            Directory.Delete(_appendOnlyDirectory, recursive: true);
        }
    }

    private async Task LaunchAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] persistence = _appendOnlyDirectory is null
            ? ["--appendonly", "no"]
            : ["--appendonly", "yes", "--appendfsync", "always", "--dir", _appendOnlyDirectory];
        foreach (var argument in (string[])["--bind", "127.0.0.1", "--port", _port.ToString(), "--save", "", .. persistence])
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("redis-server is not installed: run ./scripts/test.sh, which installs it.");
        }

        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync("127.0.0.1", _port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50);
            }
        }

        _process.Kill();
        throw new TimeoutException("redis-server did not start.");
    }
}

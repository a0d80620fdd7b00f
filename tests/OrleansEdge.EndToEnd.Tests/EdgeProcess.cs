using System.Diagnostics;
using System.Text;

namespace OrleansEdge.EndToEnd.Tests;

/// <summary>A real process the tests start (an OrleansEdge Gateway or Silo, or a tool such as Prometheus), stopped by its PID.</summary>
public sealed class EdgeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private EdgeProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>OrleansEdge.{project}.dll</c> with the given arguments; its content root is <paramref name="contentRoot"/> or its own folder.</summary>
    public static EdgeProcess Start(string project, IEnumerable<string> arguments, string? contentRoot = null)
    {
        var dll = Path.Combine(RepositoryRoot, project, "bin", BuildConfiguration, "net10.0", $"OrleansEdge.{project}.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build the solution first: {dll} is missing.");
        }

        return Run("dotnet", [dll, .. arguments], contentRoot ?? Path.GetDirectoryName(dll)!);
    }

    /// <summary>Starts any program, its output captured for failure messages.</summary>
    public static EdgeProcess Run(string file, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        return new EdgeProcess(StartInterruptible(start));
    }

    /// <summary>
    /// Starts the process able to hear <c>Ctrl+C</c> (SIGINT). A test run started in the background by a shell without
    /// job control (a CI script, nohup) ignores SIGINT, children inherit that, and .NET rightly leaves an ignored SIGINT
    /// ignored: a background job must not die of the terminal's Ctrl+C. So for the moment of the start this process's
    /// SIGINT goes back to its default, as in a terminal's foreground job, and then is ignored again.
    /// </summary>
    private static Process StartInterruptible(ProcessStartInfo start)
    {
        lock (SignalGate)
        {
            var ignored = SigIntIgnored();
            if (ignored)
            {
                signal(SigInt, SigDefault);
            }

            try
            {
                return Process.Start(start)!;
            }
            finally
            {
                if (ignored)
                {
                    signal(SigInt, SigIgnore);
                }
            }
        }
    }

    private static readonly object SignalGate = new();
    private static readonly IntPtr SigDefault = 0;
    private static readonly IntPtr SigIgnore = 1;

    /// <summary>Bit 1 of SigIgn in /proc/self/status is SIGINT (signal 2).</summary>
    private static bool SigIntIgnored()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (SigInt - 1))) != 0;
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern IntPtr signal(int signal, IntPtr handler);

    /// <summary>Polls <paramref name="url"/> until it answers 200, the process dies, or the time is up.</summary>
    public async Task WaitReadyAsync(string url, TimeSpan? timeout = null)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The process exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                if ((await client.GetAsync(url)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{url} did not become ready:\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The process did not exit within {timeout}:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Freezes the process (SIGSTOP), as a long GC pause, a frozen VM or a container freezer would.</summary>
    public void Freeze() => Signal(SigStop);

    /// <summary>Lets a frozen process run on (SIGCONT).</summary>
    public void Thaw() => Signal(SigCont);

    /// <summary>Asks the process to stop as <c>Ctrl+C</c> in its terminal would (SIGINT).</summary>
    public void Interrupt() => Signal(SigInt);

    /// <summary>Asks the process to stop as a supervisor (systemd, Docker, Kubernetes) would (SIGTERM).</summary>
    public void Terminate() => Signal(SigTerm);

    private const int SigInt = 2;
    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;

    private void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>Stops the process at once (SIGKILL), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            // Enough to explain a failure without holding a long run's log in memory.
            if (_output.Length < 200_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    public static string RepositoryRoot { get; } = FindRoot();

    private static string BuildConfiguration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OrleansEdge.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("OrleansEdge.sln not found above the test binaries.");
    }
}

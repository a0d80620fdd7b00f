using Microsoft.Extensions.Logging;

namespace OrleansEdge.Grains.Hosting;

/// <summary>
/// What a silo does when the cluster has declared it dead (it was unreachable for longer than failure detection
/// allows: killed, partitioned, or stalled and then resumed): it says so in one line and exits with a non-zero code,
/// so that a supervisor (systemd, Kubernetes) starts a fresh one that joins under a new generation.
/// </summary>
/// <remarks>
/// Orleans' own handler fails fast (SIGABRT and a core dump, with no word in the log of why). A silo declared dead
/// must not keep answering: its grains have been activated again elsewhere, and invalidations completed without it.
/// </remarks>
internal sealed partial class SiloDeathHandler(ILogger<SiloDeathHandler> logger) : IFatalErrorHandler
{
    /// <summary>The exit code of a silo that stopped because the cluster declared it dead (EX_SOFTWARE).</summary>
    public const int ExitCode = 70;

    /// <summary>How long a normal exit may take before the process is ended at once.</summary>
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(5);

    private int _exiting;

    public bool IsUnexpected(Exception exception) => exception is not OperationCanceledException;

    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null)
    {
        if (Interlocked.Exchange(ref _exiting, 1) == 1)
        {
            return;
        }

        LogDeclaredDead(logger, context ?? "", exception?.Message ?? "");
        Console.Out.Flush();
        Console.Error.Flush();

        // Exiting runs the host's shutdown, which may wait on a runtime that no longer belongs to a cluster: if it
        // has not ended the process soon, nothing more is worth waiting for.
        new Thread(static () =>
        {
            Thread.Sleep(ExitGrace);
            Environment.FailFast("OrleansEdge silo: declared dead by the cluster; exit did not finish in time.");
        }) { IsBackground = true }.Start();
        ThreadPool.UnsafeQueueUserWorkItem(static _ => Environment.Exit(ExitCode), null);
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Critical,
        Message = "This silo was declared dead by the cluster (unreachable longer than failure detection allows: stalled, partitioned or cut off); it exits now so that a supervisor starts a fresh one. {Context} {Reason}")]
    private static partial void LogDeclaredDead(ILogger logger, string context, string reason);
}

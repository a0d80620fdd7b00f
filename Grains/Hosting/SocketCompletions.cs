namespace OrleansEdge.Grains.Hosting;

/// <summary>How a process of the edge has its socket completions run: on the event thread that saw them.</summary>
/// <remarks>
/// By default .NET hands every socket completion from its epoll thread to the thread pool, so each request a viewer
/// sends costs a queue and a thread hop before Kestrel reads it, and the same again for each answer from a silo or
/// an origin. Running completions on the event thread (one per core) serves near-cache hits 13–45 % faster on this
/// machine (bench/README.md). That is safe only for code that never blocks a thread on I/O: the edge's own code awaits
/// every socket, and what a completion runs inline is short (parsing, a dictionary lookup, a copy); compression,
/// grain turns and origin fetches run on the thread pool or the silo's scheduler as before.
/// The runtime reads the setting once, when the first socket is made, so this runs first thing in Main.
/// An operator who sets <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c> (to 0, say) keeps their choice.
/// </remarks>
public static class SocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public static void RunInline()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}

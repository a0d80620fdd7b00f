#!/usr/bin/env python3
"""Where a process's CPU goes, by component, from `perf script` output (not a test; used by profile-miss.sh).

Each sample goes to the component of the frame nearest its leaf that belongs to one: kernel, libc, socket, pipe and
task frames are nobody's, so a `sendto` counts for whoever sent (Kestrel, Orleans' connection, the origin client) and
a `sched_yield` for the thread pool's spinning. Shares are scaled by the process's CPU per miss (measured beside the
profile, from /proc) into microseconds per miss.

    perf script -i FILE.perf | miss-stages.py CPU_US_PER_MISS
"""
import re
import sys

# First match from the leaf wins; the order only matters for frames that two patterns name.
COMPONENTS = [
    ("thread pool spinning and waiting for work", r"LowLevelSpinWaiter|LowLevelLifoSemaphore|LowLevelMonitor"),
    ("JIT compiler", r"libclrjit|TieredCompilation|CallCounting"),
    ("garbage collection", r"WKS::|SVR::|gc_heap|GCHeap::"),
    ("metrics (OpenTelemetry and the meters feeding it)", r"OpenTelemetry|System\.Diagnostics\.Metrics"),
    ("origin client (System.Net.Http)", r"System\.Net\.Http"),
    ("viewer HTTP server (Kestrel, ASP.NET Core)", r"Microsoft\.AspNetCore"),
    ("Orleans serialization", r"Orleans\.Serialization|OrleansCodeGen"),
    ("Orleans messaging (connections, routing, callbacks)",
     r"Orleans\.Runtime\.Messaging|Orleans\.Networking|Orleans\.Messaging|CallbackData|RuntimeClient|GrainReferenceRuntime"),
    ("edge code (keys, freshness, store, near-cache, middleware)", r"OrleansEdge"),
    ("Orleans activations and scheduling", r"Orleans"),
    ("socket event loop (epoll)", r"SocketAsyncEngine"),
    ("thread pool dispatch", r"ThreadPoolWorkQueue|PortableThreadPool|ThreadPoolTypedWorkItemQueue"),
]

# For samples with no component's frame at all: perf cannot unwind past libc's syscall wrappers or the runtime's
# native code (neither keeps frame pointers), so these name what was running, not who asked for it.
UNATTRIBUTED = [
    ("loopback sends and receives (kernel; the caller is past libc, not unwound)", r"__send|__libc_recv|sendto|recvfrom|sendmsg|recvmsg"),
    ("runtime native code (not unwound further)", r"libcoreclr|libSystem"),
]


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    per_miss = float(sys.argv[1])
    patterns = [(name, re.compile(pattern)) for name, pattern in COMPONENTS]
    fallbacks = [(name, re.compile(pattern)) for name, pattern in UNATTRIBUTED]
    counts = {name: 0 for name, _ in COMPONENTS + UNATTRIBUTED}
    other = "other (kernel work outside any system call, unknown frames)"
    counts[other] = 0
    total = 0
    for sample in sys.stdin.read().split("\n\n"):
        frames = sample.strip().split("\n")[1:]
        if not frames:
            continue
        total += 1
        for frame in frames:
            name = next((name for name, pattern in patterns if pattern.search(frame)), None)
            if name:
                counts[name] += 1
                break
        else:
            text = "\n".join(frames)
            counts[next((name for name, pattern in fallbacks if pattern.search(text)), other)] += 1
    if total == 0:
        print("no samples")
        return 1
    print(f"| component | share of samples | µs per miss |")
    print(f"|---|---|---|")
    for name, count in sorted(counts.items(), key=lambda item: -item[1]):
        if count:
            print(f"| {name} | {100 * count / total:.1f} % | {per_miss * count / total:.0f} |")
    print(f"| all ({total} samples) | 100 % | {per_miss:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

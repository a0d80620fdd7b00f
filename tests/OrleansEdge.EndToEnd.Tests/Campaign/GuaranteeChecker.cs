using System.Collections.Concurrent;

namespace OrleansEdge.EndToEnd.Tests.Campaign;

/// <summary>
/// Checks SPEC §5 on every viewer response: once a purge of a group's tag has answered (so its invalidation is
/// Completed), a request sent after that moment must get that version of the group or a later one.
/// </summary>
internal sealed class GuaranteeChecker
{
    private readonly ConcurrentDictionary<string, List<(int Version, long CompletedAt)>> _completions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _violations = new();
    private long _checked;

    public long Checked => Interlocked.Read(ref _checked);

    public IReadOnlyCollection<string> Violations => _violations;

    /// <summary>The purge for <paramref name="version"/> of the group answered at <paramref name="completedAt"/> (a timestamp).</summary>
    public void Completed(string group, int version, long completedAt)
    {
        var list = _completions.GetOrAdd(group, static _ => []);
        lock (list)
        {
            list.Add((version, completedAt));
        }
    }

    /// <summary>A 200 for the group, asked at <paramref name="sentAt"/>, carried <paramref name="version"/>.</summary>
    public void Answered(string group, string target, long sentAt, int version, string xCache, string gateway)
    {
        Interlocked.Increment(ref _checked);
        var required = Required(group, sentAt);
        if (version < required)
        {
            _violations.Enqueue($"{target} via {gateway}: version {version} ({xCache}) where {required} was required");
        }
    }

    private int Required(string group, long sentAt)
    {
        if (!_completions.TryGetValue(group, out var list))
        {
            return 1;
        }

        var required = 1;
        lock (list)
        {
            foreach (var (version, completedAt) in list)
            {
                if (completedAt < sentAt && version > required)
                {
                    required = version;
                }
            }
        }

        return required;
    }
}

namespace OrleansEdge.Grains.Hosting;

/// <summary>
/// Where tag and key-index grains keep their entries so that they outlive the silo hosting them: Redis hashes
/// in cluster mode. Each grain is the only writer of its hash, and writes it before it acknowledges a change.
/// </summary>
public interface IDurableIndex
{
    /// <summary>False when the grain's memory is the only copy (embedded mode: the process is the whole cluster).</summary>
    bool IsDurable { get; }

    Task<Dictionary<string, string>> LoadAsync(string index);

    Task SetAsync(string index, string field, string value);

    Task RemoveAsync(string index, IReadOnlyCollection<string> fields);
}

/// <summary>Embedded mode: nothing outlives the process, and nothing needs to.</summary>
internal sealed class MemoryOnlyIndex : IDurableIndex
{
    public bool IsDurable => false;

    public Task<Dictionary<string, string>> LoadAsync(string index) => Task.FromResult(new Dictionary<string, string>(StringComparer.Ordinal));

    public Task SetAsync(string index, string field, string value) => Task.CompletedTask;

    public Task RemoveAsync(string index, IReadOnlyCollection<string> fields) => Task.CompletedTask;
}

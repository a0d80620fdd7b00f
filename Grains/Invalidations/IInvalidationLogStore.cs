using System.Collections.Concurrent;
using System.Text.Json;
using StackExchange.Redis;

namespace OrleansEdge.Grains.Invalidations;

/// <summary>
/// Where a distribution's invalidation log lives, one entry per field: creating or completing an invalidation
/// writes that entry alone, so the cost of a write does not grow with the log.
/// </summary>
internal interface IInvalidationLogStore
{
    Task<List<InvalidationLogEntry>> LoadAsync(string distribution);

    Task WriteAsync(string distribution, InvalidationLogEntry entry);

    Task RemoveAsync(string distribution, IReadOnlyCollection<string> ids);
}

/// <summary>Entries as stored: JSON, so a field is readable with redis-cli.</summary>
internal static class InvalidationLogEntryFormat
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Encode(InvalidationLogEntry entry) => JsonSerializer.Serialize(entry, Json);

    public static InvalidationLogEntry Decode(string stored) => JsonSerializer.Deserialize<InvalidationLogEntry>(stored, Json)!;
}

/// <summary>Cluster mode: one Redis hash per distribution, entry id → entry, under the service id.</summary>
/// <remarks>
/// Redis failures reach callers as <see cref="OrleansException"/>, as the grain storage's do: both front ends take
/// that for "the cluster's storage is unavailable" (the API answers 503, a purge waits within its timeout).
/// </remarks>
internal sealed class RedisInvalidationLogStore(IConnectionMultiplexer redis, string serviceId) : IInvalidationLogStore
{
    public async Task<List<InvalidationLogEntry>> LoadAsync(string distribution)
    {
        var fields = await Unavailable(redis.GetDatabase().HashGetAllAsync(Key(distribution)));
        var entries = new List<InvalidationLogEntry>(fields.Length);
        foreach (var field in fields)
        {
            entries.Add(InvalidationLogEntryFormat.Decode(field.Value!));
        }

        return entries;
    }

    public Task WriteAsync(string distribution, InvalidationLogEntry entry) =>
        Unavailable(redis.GetDatabase().HashSetAsync(Key(distribution), entry.Id, InvalidationLogEntryFormat.Encode(entry)));

    public Task RemoveAsync(string distribution, IReadOnlyCollection<string> ids) =>
        ids.Count == 0 ? Task.CompletedTask : Unavailable(redis.GetDatabase().HashDeleteAsync(Key(distribution), ids.Select(static id => (RedisValue)id).ToArray()));

    private RedisKey Key(string distribution) => $"{serviceId}/log/{distribution}";

    private static async Task<T> Unavailable<T>(Task<T> command)
    {
        try
        {
            return await command;
        }
        catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
        {
            // The message only: Redis's exception types cannot cross the wire to a gateway.
            throw new OrleansException($"The invalidation log's storage is unavailable: {exception.GetType().Name}: {exception.Message}");
        }
    }
}

/// <summary>Embedded mode: the log outlives its grain's activation, not the process (as the records do).</summary>
internal sealed class MemoryInvalidationLogStore : IInvalidationLogStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, string>> _logs = new(StringComparer.Ordinal);

    public Task<List<InvalidationLogEntry>> LoadAsync(string distribution) =>
        Task.FromResult(_logs.TryGetValue(distribution, out var log) ? log.Values.Select(InvalidationLogEntryFormat.Decode).ToList() : []);

    public Task WriteAsync(string distribution, InvalidationLogEntry entry)
    {
        _logs.GetOrAdd(distribution, static _ => new(StringComparer.Ordinal))[entry.Id] = InvalidationLogEntryFormat.Encode(entry);
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string distribution, IReadOnlyCollection<string> ids)
    {
        if (_logs.TryGetValue(distribution, out var log))
        {
            foreach (var id in ids)
            {
                log.TryRemove(id, out _);
            }
        }

        return Task.CompletedTask;
    }
}

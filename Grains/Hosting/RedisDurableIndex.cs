using StackExchange.Redis;

namespace OrleansEdge.Grains.Hosting;

/// <summary>One Redis hash per tag or key-index shard, named under the service id so clusters do not mix.</summary>
internal sealed class RedisDurableIndex(IConnectionMultiplexer redis, string serviceId) : IDurableIndex
{
    public bool IsDurable => true;

    public async Task<Dictionary<string, string>> LoadAsync(string index)
    {
        var entries = await Database.HashGetAllAsync(Key(index));
        var loaded = new Dictionary<string, string>(entries.Length, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            loaded[entry.Name!] = entry.Value!;
        }

        return loaded;
    }

    public Task SetAsync(string index, string field, string value) => Database.HashSetAsync(Key(index), field, value);

    public Task RemoveAsync(string index, IReadOnlyCollection<string> fields) =>
        fields.Count == 0 ? Task.CompletedTask : Database.HashDeleteAsync(Key(index), fields.Select(static f => (RedisValue)f).ToArray());

    private IDatabase Database => redis.GetDatabase();

    private RedisKey Key(string index) => $"{serviceId}/index/{index}";
}

using OrleansEdge.Grains.Interfaces.Caching;

namespace OrleansEdge.Grains.Tests.Caching;

public sealed class ClockHandTests
{
    /// <summary>A cache of keys and used-flags, holding at most <paramref name="capacity"/> keys.</summary>
    private sealed class KeyCache(int capacity) : IClockCache
    {
        public readonly Dictionary<string, bool> Used = new(StringComparer.Ordinal);

        public bool OverCapacity => Used.Count > capacity;

        public int Count => Used.Count;

        public bool Contains(string key) => Used.ContainsKey(key);

        public ClockVisit Visit(string key)
        {
            if (!Used.TryGetValue(key, out var used))
            {
                return ClockVisit.Gone;
            }

            if (used)
            {
                Used[key] = false;
                return ClockVisit.SecondChance;
            }

            Used.Remove(key);
            return ClockVisit.Evicted;
        }
    }

    [Fact]
    public void KeysComingAndGoingUnderCapacity_QueueStaysBounded()
    {
        var cache = new KeyCache(capacity: 1000);
        var hand = new ClockHand(cache);
        for (var i = 0; i < 100_000; i++)
        {
            // Stored, invalidated, stored again: the cache never fills, so the hand never sweeps.
            var key = $"/k/{i % 10}";
            cache.Used.Remove(key);
            cache.Used[key] = false;
            hand.Add(key);
            hand.Sweep();
        }

        Assert.InRange(hand.Queued, 10, 2 * 10 + 1024 + 1);
    }

    [Fact]
    public void OverCapacity_UnusedGoFirst_UsedGetASecondChance()
    {
        var cache = new KeyCache(capacity: 3);
        var hand = new ClockHand(cache);
        foreach (var key in new[] { "a", "b", "c" })
        {
            cache.Used[key] = false;
            hand.Add(key);
        }

        cache.Used["a"] = true;
        cache.Used["d"] = false;
        hand.Add("d");
        hand.Sweep();

        Assert.Equal(["a", "c", "d"], cache.Used.Keys.Order());
    }
}

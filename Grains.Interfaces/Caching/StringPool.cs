namespace OrleansEdge.Grains.Interfaces.Caching;

/// <summary>
/// Short strings that recur across cached objects, kept once: header values such as <c>Content-Type</c>,
/// <c>Cache-Control</c>, a <c>Date</c> of the same second, and tags many objects share (<c>category:books</c>). A copy
/// holds the pool's instance instead of its own, which is most of what a 1 KiB object's headers and tags cost.
/// </summary>
/// <remarks>
/// A fixed table of slots, one string each, chosen by hash: a new value replaces whatever held its slot, so the pool
/// never grows and never locks (a lost race only costs a duplicate). Values longer than <see cref="MaxLength"/> are
/// rarely shared and are not pooled.
/// </remarks>
public sealed class StringPool(int slots)
{
    public const int MaxLength = 96;

    /// <summary>The process's pool: 16,384 slots, 128 KiB of references.</summary>
    public static StringPool Shared { get; } = new(16_384);

    private readonly string?[] _slots = new string?[ToPowerOfTwo(slots)];

    /// <summary>The pooled instance equal to <paramref name="value"/>, or <paramref name="value"/> itself, now pooled.</summary>
    public string Intern(string value)
    {
        if (value.Length > MaxLength)
        {
            return value;
        }

        ref var slot = ref _slots[string.GetHashCode(value.AsSpan()) & (_slots.Length - 1)];
        var pooled = Volatile.Read(ref slot);
        if (pooled is not null && pooled == value)
        {
            return pooled;
        }

        Volatile.Write(ref slot, value);
        return value;
    }

    /// <summary>As <see cref="Intern(string)"/> for characters not yet in a string: only a value not pooled yet allocates.</summary>
    public string Intern(ReadOnlySpan<char> value)
    {
        if (value.Length > MaxLength)
        {
            return value.ToString();
        }

        ref var slot = ref _slots[string.GetHashCode(value) & (_slots.Length - 1)];
        var pooled = Volatile.Read(ref slot);
        if (pooled is not null && value.SequenceEqual(pooled))
        {
            return pooled;
        }

        var created = value.ToString();
        Volatile.Write(ref slot, created);
        return created;
    }

    /// <summary>
    /// <paramref name="response"/> holding the pooled instances of its header names and values and its tags: for a copy
    /// that arrived from another process, whose strings are all its own.
    /// </summary>
    public Objects.CachedResponse Intern(Objects.CachedResponse response)
    {
        var headers = new Objects.HeaderField[response.Headers.Length];
        for (var i = 0; i < headers.Length; i++)
        {
            var field = response.Headers[i];
            var values = field.Values.ToArray();
            for (var v = 0; v < values.Length; v++)
            {
                values[v] = Intern(values[v]!);
            }

            headers[i] = new Objects.HeaderField(Intern(field.Name), values!);
        }

        var tags = new string[response.Tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            tags[i] = Intern(response.Tags[i]);
        }

        return response with { Headers = headers, Tags = tags };
    }

    private static int ToPowerOfTwo(int value)
    {
        var power = 1;
        while (power < value)
        {
            power <<= 1;
        }

        return power;
    }
}

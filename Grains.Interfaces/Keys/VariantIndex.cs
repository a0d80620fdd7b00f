namespace OrleansEdge.Grains.Interfaces.Keys;

/// <summary>
/// The variant keys held under each URL's key (<see cref="EdgeKeys.BaseOf"/>), so that a path invalidation finds
/// every variant of its URL with a lookup, not a scan. Keys that are no variant cost nothing here. Not thread-safe:
/// its owner records keys under the lock it applies notices under.
/// </summary>
public sealed class VariantIndex
{
    private readonly Dictionary<string, HashSet<string>> _variantsByBase = new(StringComparer.Ordinal);

    public void Add(string key)
    {
        var baseKey = EdgeKeys.BaseOf(key);
        if (baseKey.Length == key.Length)
        {
            return;
        }

        if (!_variantsByBase.TryGetValue(baseKey, out var variants))
        {
            _variantsByBase[baseKey] = variants = new HashSet<string>(StringComparer.Ordinal);
        }

        variants.Add(key);
    }

    public void Remove(string key)
    {
        var baseKey = EdgeKeys.BaseOf(key);
        if (baseKey.Length != key.Length && _variantsByBase.TryGetValue(baseKey, out var variants) && variants.Remove(key) && variants.Count == 0)
        {
            _variantsByBase.Remove(baseKey);
        }
    }

    /// <summary>The key <paramref name="baseKey"/> itself and every variant of it recorded here (whether or not the first is held).</summary>
    public IEnumerable<string> KeysOf(string baseKey)
    {
        yield return baseKey;
        if (_variantsByBase.TryGetValue(baseKey, out var variants))
        {
            foreach (var variant in variants)
            {
                yield return variant;
            }
        }
    }

    public void Clear() => _variantsByBase.Clear();
}

namespace OrleansEdge.Grains.Interfaces.Invalidations;

/// <summary>
/// Which keys carry each tag, for the holders of copies that apply tag notices: a silo for the objects it hosts, a
/// gateway for its near-cache. Not thread-safe: its owner applies notices and records copies under one lock.
/// </summary>
/// <remarks>
/// Built for a catalogue's shape, where most tags (<c>product:123</c>) name one object: such a tag costs one
/// dictionary entry pointing at the key itself, with no set and no composed string. The scope and header strings
/// are shared by every entry of theirs; the tag string is the one the copy already holds.
/// </remarks>
public sealed class TagMembers
{
    // A tag's value is its one key (a string) or, once a second joins, a set of keys.
    private readonly Dictionary<TagKey, object> _keysByTag = [];
    private readonly Dictionary<string, string> _shared = new(StringComparer.Ordinal);

    /// <summary>Tags with at least one key.</summary>
    public int Tags => _keysByTag.Count;

    /// <summary>Records that <paramref name="key"/> carries the tag; returns whether it was not recorded already.</summary>
    public bool Add(string scope, string header, string tag, string key)
    {
        var tagKey = new TagKey(Share(scope), Share(header.ToLowerInvariant()), tag);
        if (!_keysByTag.TryGetValue(tagKey, out var keys))
        {
            _keysByTag[tagKey] = key;
            return true;
        }

        if (keys is string single)
        {
            if (single == key)
            {
                return false;
            }

            _keysByTag[tagKey] = new HashSet<string>(StringComparer.Ordinal) { single, key };
            return true;
        }

        return ((HashSet<string>)keys).Add(key);
    }

    /// <summary>Forgets that <paramref name="key"/> carries the tag; returns whether it was recorded.</summary>
    public bool Remove(string scope, string header, string tag, string key)
    {
        var tagKey = new TagKey(scope, header.ToLowerInvariant(), tag);
        if (!_keysByTag.TryGetValue(tagKey, out var keys))
        {
            return false;
        }

        if (keys is string single)
        {
            return single == key && _keysByTag.Remove(tagKey);
        }

        var set = (HashSet<string>)keys;
        if (!set.Remove(key))
        {
            return false;
        }

        if (set.Count == 1)
        {
            _keysByTag[tagKey] = set.First();
        }

        return true;
    }

    /// <summary>The keys carrying the tag now, as a copy the caller may hold while it removes them.</summary>
    public string[] KeysOf(string scope, string header, string tag) =>
        _keysByTag.TryGetValue(new TagKey(scope, header.ToLowerInvariant(), tag), out var keys)
            ? keys is string single ? [single] : [.. (HashSet<string>)keys]
            : [];

    public void Clear() => _keysByTag.Clear();

    private string Share(string value)
    {
        if (!_shared.TryGetValue(value, out var shared))
        {
            _shared[value] = shared = value;
        }

        return shared;
    }

    /// <summary>Header in lower case: tags are compared under the header name without its case.</summary>
    private readonly record struct TagKey(string Scope, string Header, string Tag);
}

using OrleansEdge.Grains.Interfaces.Keys;
using OrleansEdge.Grains.Interfaces.Gateways;

namespace OrleansEdge.Grains.Interfaces.Invalidations;

/// <summary>When, relative to a moment, the notices covering a copy were heard.</summary>
public enum NoticeTiming
{
    /// <summary>No notice heard covers it.</summary>
    None,

    /// <summary>Covered only by notices heard after the moment.</summary>
    HeardAfter,

    /// <summary>Covered by a notice heard at or before the moment.</summary>
    HeardBefore,
}

/// <summary>
/// The invalidation notices a holder of copies has heard within its memory, indexed by what they name: asking which
/// cover a copy costs the notices naming its key or one of its tags, and the wildcards, not every notice heard. A
/// purge storm (a thousand tags a minute) would otherwise cost every copy stored a walk over all of them.
/// </summary>
/// <remarks>
/// The index only narrows the candidates; <see cref="InvalidationMatching"/> decides. Not thread-safe: its owner
/// calls it under the lock that orders notices against copies.
/// </remarks>
public sealed class NoticeIndex(TimeProvider time, TimeSpan memory)
{
    private readonly Queue<Heard> _heard = new();
    private readonly Dictionary<string, List<Heard>> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<TagKey, List<Heard>> _byTag = [];
    private readonly List<Heard> _wildcards = [];

    /// <summary>Notices remembered.</summary>
    public int Count => _heard.Count;

    /// <summary>Remembers a notice heard at <paramref name="received"/> (a <see cref="TimeProvider.GetTimestamp"/>).</summary>
    public void Add(InvalidationNotice notice, long received)
    {
        Forget(received);
        var heard = new Heard(notice, received);
        _heard.Enqueue(heard);
        foreach (var item in notice.Items)
        {
            switch (item.Kind)
            {
                case InvalidationItemKind.Tag when notice.TagHeader is not null:
                    Append(_byTag, new TagKey(notice.Scope, notice.TagHeader.ToLowerInvariant(), item.Value), heard);
                    break;

                case InvalidationItemKind.Path:
                    Append(_byKey, notice.Scope + item.Value, heard);
                    break;

                case InvalidationItemKind.Prefix when _wildcards.Count == 0 || _wildcards[^1] != heard:
                    _wildcards.Add(heard);
                    break;
            }
        }
    }

    /// <summary>
    /// Whether notices heard cover a copy of <paramref name="key"/> (under <paramref name="scope"/>) fetched from
    /// <paramref name="fetchStarted"/> with <paramref name="tags"/> read under <paramref name="tagHeader"/>, and
    /// whether one of them was heard at or before <paramref name="moment"/>.
    /// </summary>
    public NoticeTiming Covering(string key, string scope, string? tagHeader, string[] tags, DateTimeOffset fetchStarted, long moment)
    {
        Forget(time.GetTimestamp());
        // A path notice names its URL in every variant.
        var timing = Weigh(_byKey.GetValueOrDefault(EdgeKeys.BaseOf(key)), NoticeTiming.None);
        if (tagHeader is not null && _byTag.Count > 0)
        {
            var header = tagHeader.ToLowerInvariant();
            foreach (var tag in tags)
            {
                timing = Weigh(_byTag.GetValueOrDefault(new TagKey(scope, header, tag)), timing);
            }
        }

        return Weigh(_wildcards, timing);

        NoticeTiming Weigh(List<Heard>? candidates, NoticeTiming soFar)
        {
            if (candidates is null)
            {
                return soFar;
            }

            foreach (var heard in candidates)
            {
                if (soFar != NoticeTiming.HeardBefore && InvalidationMatching.Covers(heard.Notice, key, tagHeader, tags, fetchStarted))
                {
                    soFar = heard.Received <= moment ? NoticeTiming.HeardBefore : NoticeTiming.HeardAfter;
                }
            }

            return soFar;
        }
    }

    private void Forget(long now)
    {
        while (_heard.TryPeek(out var oldest) && time.GetElapsedTime(oldest.Received, now) > memory)
        {
            _heard.Dequeue();
            foreach (var item in oldest.Notice.Items)
            {
                switch (item.Kind)
                {
                    case InvalidationItemKind.Tag when oldest.Notice.TagHeader is not null:
                        Unlink(_byTag, new TagKey(oldest.Notice.Scope, oldest.Notice.TagHeader.ToLowerInvariant(), item.Value), oldest);
                        break;

                    case InvalidationItemKind.Path:
                        Unlink(_byKey, oldest.Notice.Scope + item.Value, oldest);
                        break;

                    case InvalidationItemKind.Prefix:
                        _wildcards.Remove(oldest);
                        break;
                }
            }
        }
    }

    private static void Append<TKey>(Dictionary<TKey, List<Heard>> index, TKey key, Heard heard)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var list))
        {
            index[key] = list = [];
        }

        if (list.Count == 0 || list[^1] != heard)
        {
            list.Add(heard);
        }
    }

    private static void Unlink<TKey>(Dictionary<TKey, List<Heard>> index, TKey key, Heard heard)
        where TKey : notnull
    {
        if (index.TryGetValue(key, out var list) && list.Remove(heard) && list.Count == 0)
        {
            index.Remove(key);
        }
    }

    /// <summary>One notice as heard; compared by reference, so each list finds and drops exactly this one.</summary>
    private sealed class Heard(InvalidationNotice notice, long received)
    {
        public InvalidationNotice Notice { get; } = notice;

        public long Received { get; } = received;
    }

    private readonly record struct TagKey(string Scope, string Header, string Tag);
}

using OrleansEdge.Grains.Interfaces.Gateways;
using OrleansEdge.Grains.Interfaces.Keys;

namespace OrleansEdge.Grains.Interfaces.Invalidations;

/// <summary>
/// The one rule for which copies an invalidation reaches, applied alike by the silos (to the objects they host and
/// the fetches they have in flight) and by the gateways (to their near-cache copies).
/// </summary>
public static class InvalidationMatching
{
    /// <summary>
    /// Whether <paramref name="notice"/> reaches a copy of <paramref name="key"/> whose fetch started at
    /// <paramref name="fetchStarted"/>, carrying <paramref name="tags"/> read under <paramref name="tagHeader"/>.
    /// </summary>
    public static bool Covers(InvalidationNotice notice, string key, string? tagHeader, string[] tags, DateTimeOffset fetchStarted) =>
        notice.Stamp.Covers(fetchStarted) && Matches(notice, key, tagHeader, tags);

    /// <summary>Whether an item of <paramref name="notice"/> names the object, whenever its copy was fetched.</summary>
    public static bool Matches(InvalidationNotice notice, string key, string? tagHeader, string[] tags)
    {
        // A scope ends with a space and its ids hold none, so a key under another scope never starts with this one.
        if (!key.StartsWith(notice.Scope, StringComparison.Ordinal))
        {
            return false;
        }

        var target = key.AsSpan(notice.Scope.Length);
        foreach (var item in notice.Items)
        {
            var matches = item.Kind switch
            {
                // Tags are compared under the header they were read with: renaming the header starts afresh.
                InvalidationItemKind.Tag => notice.TagHeader is not null
                    && string.Equals(tagHeader, notice.TagHeader, StringComparison.OrdinalIgnoreCase)
                    && Array.IndexOf(tags, item.Value) >= 0,
                // A path names its URL in every variant (the headers and cookies of a cache policy's key).
                InvalidationItemKind.Path => EdgeKeys.TargetOf(target).SequenceEqual(item.Value),
                _ => target.StartsWith(item.Value, StringComparison.Ordinal),
            };
            if (matches)
            {
                return true;
            }
        }

        return false;
    }
}

using System.Globalization;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Objects;

/// <summary>
/// Builds what an object grain stores or serves from an origin exchange: a new copy, a copy refreshed by a
/// <c>304</c>, or a response served once and never stored. The grain decides what happens to them; this only says
/// what they are (headers, validators, lifetimes).
/// </summary>
internal static class StoredResponses
{
    /// <summary>A copy of a new response, fresh for <paramref name="freshness"/>, carrying <paramref name="tags"/>.</summary>
    public static CachedResponse New(OriginFetch fetched, Freshness freshness, string[] tags, DateTimeOffset started, DateTimeOffset now) => new()
    {
        Status = fetched.Status,
        Headers = fetched.Headers,
        Body = fetched.Body,
        Tags = tags,
        FetchStarted = started,
        Received = now,
        FreshUntil = now + freshness.Ttl,
        StaleIfErrorUntil = now + freshness.Ttl + freshness.StaleIfError,
        ETag = FreshnessPolicy.Find(fetched.Headers, "ETag"),
        LastModified = ParseDate(FreshnessPolicy.Find(fetched.Headers, "Last-Modified")),
        OriginAge = int.TryParse(FreshnessPolicy.Find(fetched.Headers, "Age"), out var age) ? age : 0,
    };

    /// <summary>
    /// <paramref name="stale"/> as a <c>304</c> confirmed it: the 304's headers replace the stored ones of the same name
    /// (RFC 9111 §4.3.4), and its lifetime starts again under the policy. Also says whether it may still be stored.
    /// </summary>
    public static (CachedResponse Refreshed, bool Storable) Refreshed(
        CachedResponse stale, OriginFetch notModified, OriginProfile origin, DateTimeOffset started, DateTimeOffset now)
    {
        var headers = ContentCodings.KeepWeakValidator(stale.Headers, MergeHeaders(stale.Headers, notModified.Headers));
        var freshness = FreshnessPolicy.Evaluate(stale.Status, headers, now, origin);
        var refreshed = stale with
        {
            Headers = headers,
            FetchStarted = started,
            Received = now,
            FreshUntil = now + freshness.Ttl,
            StaleIfErrorUntil = now + freshness.Ttl + freshness.StaleIfError,
            ETag = FreshnessPolicy.Find(headers, "ETag") ?? stale.ETag,
            OriginAge = 0,
        };
        return (refreshed, freshness.Storable);
    }

    /// <summary>A response served once and never stored.</summary>
    public static CachedResponse Transient(OriginFetch fetched, DateTimeOffset started, DateTimeOffset now) => new()
    {
        Status = fetched.Status,
        Headers = fetched.Headers,
        Body = fetched.Body,
        Tags = [],
        FetchStarted = started,
        Received = now,
        FreshUntil = DateTimeOffset.MinValue,
    };

    /// <summary>The copy as served to a viewer but kept by nobody: already stale, so no gateway holds it as fresh.</summary>
    public static CachedResponse Unkept(CachedResponse response) => response with { FreshUntil = DateTimeOffset.MinValue };

    private static HeaderField[] MergeHeaders(HeaderField[] stored, HeaderField[] update)
    {
        var merged = new List<HeaderField>(stored.Length + update.Length);
        foreach (var header in stored)
        {
            if (!Contains(update, header.Name))
            {
                merged.Add(header);
            }
        }

        merged.AddRange(update);
        return [.. merged];

        static bool Contains(HeaderField[] headers, string name)
        {
            foreach (var header in headers)
            {
                if (string.Equals(header.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private static DateTimeOffset? ParseDate(string? value) =>
        value is not null && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;
}

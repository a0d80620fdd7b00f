using System.Net.Http.Headers;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Objects;

/// <summary>
/// The TTL rules of SPEC §3, as CloudFront applies them: <c>s-maxage</c>, else <c>max-age</c>, else
/// <c>Expires</c>, else the distribution's default, clamped to [Min, Max]. <c>no-store</c>, <c>private</c>
/// and <c>Set-Cookie</c> responses are never stored; <c>no-cache</c> is stored but revalidated every time.
/// A response that varies on a request header outside its cache key (or on <c>*</c>) is never stored either:
/// the key could not tell its variants apart (SPEC §3a).
/// </summary>
public static class FreshnessPolicy
{
    // RFC 9110 §15.1 "heuristically cacheable" statuses, plus 308; other statuses are never stored.
    private static readonly HashSet<int> CacheableStatuses = [200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501];

    public static Freshness Evaluate(int status, ReadOnlySpan<HeaderField> headers, DateTimeOffset now, OriginProfile profile)
    {
        if (!CacheableStatuses.Contains(status) || Find(headers, "Set-Cookie") is not null || !VariesWithinKey(Find(headers, "Vary"), profile))
        {
            return Freshness.NotStorable;
        }

        var cacheControl = ParseCacheControl(Find(headers, "Cache-Control"));
        if (cacheControl is { NoStore: true } or { Private: true })
        {
            return Freshness.NotStorable;
        }

        var explicitTtl = cacheControl?.SharedMaxAge ?? cacheControl?.MaxAge ?? FromExpires(headers, now);
        var ttl = explicitTtl ?? (status >= 400 ? profile.ErrorTtlFor(status) : profile.DefaultTtl);
        if (cacheControl is { NoCache: true } && cacheControl.NoCacheHeaders.Count == 0)
        {
            ttl = TimeSpan.Zero;
        }

        ttl = Clamp(ttl, profile.MinTtl, profile.MaxTtl);
        return new Freshness(true, ttl, StaleIfError(cacheControl));
    }

    /// <summary>Whether every header the response varies on has its value in the key.</summary>
    private static bool VariesWithinKey(string? vary, OriginProfile profile)
    {
        if (vary is null)
        {
            return true;
        }

        foreach (var range in vary.AsSpan().Split(','))
        {
            var name = vary.AsSpan()[range].Trim();
            if (name.IsEmpty)
            {
                continue;
            }

            var keyed = false;
            foreach (var header in profile.KeyedHeaders)
            {
                keyed |= name.Equals(header, StringComparison.OrdinalIgnoreCase);
            }

            if (!keyed)
            {
                return false;
            }
        }

        return true;
    }

    private static TimeSpan? FromExpires(ReadOnlySpan<HeaderField> headers, DateTimeOffset now)
    {
        if (Find(headers, "Expires") is not { } expiresValue)
        {
            return null;
        }

        // RFC 9111 §5.3: an invalid Expires (such as "0") means already expired.
        if (!DateTimeOffset.TryParse(expiresValue, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var expires))
        {
            return TimeSpan.Zero;
        }

        // Measured against the origin's Date when it sent one, so clock skew between us and it does not count.
        var date = Find(headers, "Date") is { } dateValue && DateTimeOffset.TryParse(dateValue,
            System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var d)
            ? d
            : now;
        var lifetime = expires - date;
        return lifetime > TimeSpan.Zero ? lifetime : TimeSpan.Zero;
    }

    private static TimeSpan StaleIfError(CacheControlHeaderValue? cacheControl)
    {
        if (cacheControl is null)
        {
            return TimeSpan.Zero;
        }

        foreach (var extension in cacheControl.Extensions)
        {
            if (string.Equals(extension.Name, "stale-if-error", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(extension.Value, out var seconds) && seconds > 0)
            {
                return TimeSpan.FromSeconds(seconds);
            }
        }

        return TimeSpan.Zero;
    }

    private static CacheControlHeaderValue? ParseCacheControl(string? value) =>
        value is not null && CacheControlHeaderValue.TryParse(value, out var parsed) ? parsed : null;

    private static TimeSpan Clamp(TimeSpan ttl, TimeSpan min, TimeSpan max) =>
        ttl < min ? min : ttl > max ? max : ttl;

    /// <summary>All values of a header joined with commas, or null when absent.</summary>
    /// <remarks>A span rather than a list: a miss looks up a dozen headers, and a list's enumerator is an allocation each.</remarks>
    internal static string? Find(ReadOnlySpan<HeaderField> headers, string name)
    {
        foreach (var header in headers)
        {
            if (string.Equals(header.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                var values = header.Values;
                return values.Count == 1 ? values[0] : string.Join(", ", (IEnumerable<string?>)values);
            }
        }

        return null;
    }
}

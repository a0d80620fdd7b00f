using System.IO.Compression;
using OrleansEdge.Grains.Interfaces.Objects;

namespace OrleansEdge.Grains.Objects;

/// <summary>
/// Makes a fetched response fit the encoding its cache key asked for (SPEC §3a): the key holds the viewer's
/// <c>Accept-Encoding</c> normalised to <c>br</c>, <c>gzip</c> or nothing, and what is stored under it is exactly that.
/// An encoding the origin chose on its own is undone, and with <see cref="OriginProfile.Compress"/> a compressible
/// response the origin sent plain is compressed here, once per encoding, on the miss that stores it.
/// </summary>
internal static class ContentCodings
{
    /// <summary>Smaller bodies gain too little to be worth a compression (CloudFront's lower bound).</summary>
    public const int MinCompressibleBytes = 1000;

    /// <summary>Larger bodies are stored as the origin sent them (CloudFront's upper bound).</summary>
    public const int MaxCompressibleBytes = 10_000_000;

    /// <summary>
    /// Brotli quality 5 and gzip level 6 (CompressionLevel.Optimal), chosen by measurement on HTML, JSON and JavaScript
    /// (bench/README.md, "Compression levels"): within a few percent of the best ratio at a fraction of its time.
    /// </summary>
    private const int BrotliQuality = 5;

    private const int BrotliWindow = 22;

    private const string AcceptEncoding = "Accept-Encoding";

    /// <summary>
    /// The response's headers and body as they fit <paramref name="accepted"/> (<c>br</c>, <c>gzip</c> or null for
    /// none), or null when the origin used an encoding that cannot be undone here or decodes past
    /// <paramref name="maxBytes"/>: such a response is served to nobody who did not ask for it.
    /// </summary>
    public static (HeaderField[] Headers, byte[] Body)? Fit(HeaderField[] headers, byte[] body, string? accepted, bool compress, long maxBytes)
    {
        var applied = Codings(FreshnessPolicy.Find(headers, "Content-Encoding"));
        var compressible = compress && IsCompressible(FreshnessPolicy.Find(headers, "Content-Type"));
        var changed = false;
        if (applied.Length > 0 && !(applied.Length == 1 && applied[0] == accepted))
        {
            // Undone in the reverse of the order they were applied (RFC 9110 §8.4).
            for (var i = applied.Length - 1; i >= 0; i--)
            {
                if (Decode(applied[i], body, maxBytes) is not { } decoded)
                {
                    return null;
                }

                body = decoded;
            }

            headers = Without(headers, "Content-Encoding");
            applied = [];
            changed = true;
        }

        if (applied.Length == 0 && accepted is not null && compressible && body.Length is >= MinCompressibleBytes and <= MaxCompressibleBytes)
        {
            body = Encode(accepted, body);
            headers = [.. headers, new HeaderField("Content-Encoding", [accepted])];
            changed = true;
        }

        if (changed)
        {
            // A strong validator names one representation's bytes; these are other bytes of the same one.
            headers = WeakenETag(headers);
        }

        // Caches downstream must keep the encodings apart as the edge does.
        return (compressible || changed ? WithVaryOnAcceptEncoding(headers) : headers, body);
    }

    /// <summary>Text and the structured formats sent as text: what compresses well and is not compressed already.</summary>
    public static bool IsCompressible(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        var type = contentType.AsSpan();
        var semicolon = type.IndexOf(';');
        type = (semicolon < 0 ? type : type[..semicolon]).Trim();
        return type.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("+xml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/javascript", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/x-javascript", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/ecmascript", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/xml", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/wasm", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/x-font-ttf", StringComparison.OrdinalIgnoreCase)
            || type.Equals("application/vnd.ms-fontobject", StringComparison.OrdinalIgnoreCase)
            || type.Equals("font/ttf", StringComparison.OrdinalIgnoreCase)
            || type.Equals("font/otf", StringComparison.OrdinalIgnoreCase)
            || type.Equals("image/x-icon", StringComparison.OrdinalIgnoreCase)
            || type.Equals("image/vnd.microsoft.icon", StringComparison.OrdinalIgnoreCase)
            || type.Equals("image/bmp", StringComparison.OrdinalIgnoreCase);
    }

    public static byte[] Encode(string coding, byte[] body)
    {
        if (coding == "br")
        {
            using var encoder = new BrotliEncoder(BrotliQuality, BrotliWindow);
            var output = System.Buffers.ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(body.Length));
            try
            {
                var status = encoder.Compress(body, output, out _, out var written, isFinalBlock: true);
                if (status != System.Buffers.OperationStatus.Done)
                {
                    throw new InvalidOperationException($"Brotli compression ended with {status}.");
                }

                return output.AsSpan(0, written).ToArray();
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(output);
            }
        }

        using var compressed = new MemoryStream(body.Length / 3 + 64);
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(body);
        }

        return compressed.ToArray();
    }

    /// <summary>The body with <paramref name="coding"/> undone, or null when it is unknown, broken or decodes past <paramref name="maxBytes"/>.</summary>
    private static byte[]? Decode(string coding, byte[] body, long maxBytes)
    {
        try
        {
            return coding switch
            {
                "gzip" or "x-gzip" => ReadAll(new GZipStream(new MemoryStream(body), CompressionMode.Decompress), maxBytes),
                "br" => ReadAll(new BrotliStream(new MemoryStream(body), CompressionMode.Decompress), maxBytes),

                // HTTP's "deflate" is the zlib format (RFC 9110 §8.4.1.2), though some servers send raw deflate.
                "deflate" => ReadAll(new ZLibStream(new MemoryStream(body), CompressionMode.Decompress), maxBytes),
                _ => null,
            };
        }
        catch (InvalidDataException)
        {
            return coding == "deflate" ? TryRawDeflate(body, maxBytes) : null;
        }
    }

    private static byte[]? TryRawDeflate(byte[] body, long maxBytes)
    {
        try
        {
            return ReadAll(new DeflateStream(new MemoryStream(body), CompressionMode.Decompress), maxBytes);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>Reads a decoder to its end, or null past <paramref name="maxBytes"/>: a small body may decode to gigabytes.</summary>
    private static byte[]? ReadAll(Stream decoder, long maxBytes)
    {
        using (decoder)
        {
            using var decoded = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = decoder.Read(buffer)) > 0)
            {
                decoded.Write(buffer, 0, read);
                if (decoded.Length > maxBytes)
                {
                    return null;
                }
            }

            return decoded.ToArray();
        }
    }

    /// <summary>The content codings of a Content-Encoding value, in lower case, <c>identity</c> left out.</summary>
    private static string[] Codings(string? contentEncoding) =>
        contentEncoding is null
            ? []
            : contentEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(static c => c.ToLowerInvariant())
                .Where(static c => c != "identity")
                .ToArray();

    private static HeaderField[] Without(HeaderField[] headers, string name) =>
        headers.Where(h => !string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).ToArray();

    /// <summary>
    /// After a revalidation: the origin's 304 names its own bytes with a strong ETag, but a copy the edge re-encoded
    /// keeps the weak one it was stored with (the same tag, weakened), or a range could be cut from other bytes.
    /// </summary>
    public static HeaderField[] KeepWeakValidator(HeaderField[] stored, HeaderField[] merged) =>
        FreshnessPolicy.Find(stored, "ETag") is { } before && before.StartsWith("W/", StringComparison.Ordinal)
            && FreshnessPolicy.Find(merged, "ETag") == before[2..]
            ? WeakenETag(merged)
            : merged;

    private static HeaderField[] WeakenETag(HeaderField[] headers)
    {
        var result = headers.ToArray();
        for (var i = 0; i < result.Length; i++)
        {
            if (string.Equals(result[i].Name, "ETag", StringComparison.OrdinalIgnoreCase)
                && result[i].Values is { Count: 1 } values && values[0] is { } etag && etag.StartsWith('"'))
            {
                result[i] = new HeaderField(result[i].Name, ["W/" + etag]);
            }
        }

        return result;
    }

    private static HeaderField[] WithVaryOnAcceptEncoding(HeaderField[] headers)
    {
        if (FreshnessPolicy.Find(headers, "Vary") is not { } vary)
        {
            return [.. headers, new HeaderField("Vary", [AcceptEncoding])];
        }

        foreach (var name in vary.Split(',', StringSplitOptions.TrimEntries))
        {
            if (name == "*" || name.Equals(AcceptEncoding, StringComparison.OrdinalIgnoreCase))
            {
                return headers;
            }
        }

        return [.. Without(headers, "Vary"), new HeaderField("Vary", [vary + ", " + AcceptEncoding])];
    }
}

using System.IO.Compression;
using System.Text;
using OrleansEdge.Grains.Interfaces.Objects;
using OrleansEdge.Grains.Objects;

namespace OrleansEdge.Grains.Tests.Objects;

/// <summary>What is stored under a key is in the one encoding its normalised Accept-Encoding names (SPEC §3a).</summary>
public sealed class ContentCodingsTests
{
    private static readonly byte[] Page = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 200).Select(i => $"<li>product {i}</li>\n")));

    private static HeaderField[] Headers(string contentType, params (string Name, string Value)[] more) =>
        [new HeaderField("Content-Type", [contentType]), .. more.Select(h => new HeaderField(h.Name, [h.Value]))];

    private static string? Find(HeaderField[] headers, string name) =>
        headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Values.ToString()).SingleOrDefault();

    private static byte[] Gunzip(byte[] body)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress))
        {
            gzip.CopyTo(output);
        }

        return output.ToArray();
    }

    private static byte[] Unbrotli(byte[] body)
    {
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(new MemoryStream(body), CompressionMode.Decompress))
        {
            brotli.CopyTo(output);
        }

        return output.ToArray();
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public void PlainCompressibleResponse_IsCompressedInTheAcceptedEncoding(string accepted)
    {
        var (headers, body) = ContentCodings.Fit(Headers("text/html; charset=utf-8", ("ETag", "\"v1\"")), Page, accepted, compress: true, 1 << 20)!.Value;

        Assert.Equal(accepted, Find(headers, "Content-Encoding"));
        Assert.Equal("Accept-Encoding", Find(headers, "Vary"));
        Assert.Equal("W/\"v1\"", Find(headers, "ETag"));
        Assert.True(body.Length < Page.Length / 3);
        Assert.Equal(Page, accepted == "gzip" ? Gunzip(body) : Unbrotli(body));
    }

    [Fact]
    public void ViewerWithoutEncoding_GetsThePlainBody_WithVary()
    {
        var (headers, body) = ContentCodings.Fit(Headers("application/json"), Page, accepted: null, compress: true, 1 << 20)!.Value;
        Assert.Null(Find(headers, "Content-Encoding"));
        Assert.Equal("Accept-Encoding", Find(headers, "Vary"));
        Assert.Same(Page, body);
    }

    [Theory]
    [InlineData("image/png", 5000)]
    [InlineData("text/plain", 999)]
    [InlineData(null, 5000)]
    public void IncompressibleOrSmall_IsLeftAlone(string? contentType, int size)
    {
        var body = Page.Take(size).ToArray();
        HeaderField[] headers = contentType is null ? [] : Headers(contentType);
        var (fitted, fittedBody) = ContentCodings.Fit(headers, body, "gzip", compress: true, 1 << 20)!.Value;
        Assert.Null(Find(fitted, "Content-Encoding"));
        Assert.Same(body, fittedBody);
    }

    [Fact]
    public void CompressOff_StoresThePlainBody()
    {
        var (headers, body) = ContentCodings.Fit(Headers("text/html"), Page, "br", compress: false, 1 << 20)!.Value;
        Assert.Null(Find(headers, "Content-Encoding"));
        Assert.Null(Find(headers, "Vary"));
        Assert.Same(Page, body);
    }

    [Fact]
    public void EncodingTheViewerDidNotAskFor_IsUndone()
    {
        var gzipped = ContentCodings.Encode("gzip", Page);
        var (headers, body) = ContentCodings.Fit(Headers("text/html", ("Content-Encoding", "gzip")), gzipped, accepted: null, compress: true, 1 << 20)!.Value;
        Assert.Null(Find(headers, "Content-Encoding"));
        Assert.Equal(Page, body);

        // Asked for Brotli, sent gzip: re-encoded in Brotli.
        var (rewritten, rewrittenBody) = ContentCodings.Fit(Headers("text/html", ("Content-Encoding", "gzip")), gzipped, "br", compress: true, 1 << 20)!.Value;
        Assert.Equal("br", Find(rewritten, "Content-Encoding"));
        Assert.Equal(Page, Unbrotli(rewrittenBody));
    }

    [Fact]
    public void EncodingTheViewerAskedFor_IsKeptAsSent()
    {
        var gzipped = ContentCodings.Encode("gzip", Page);
        var (headers, body) = ContentCodings.Fit(Headers("text/html", ("Content-Encoding", "gzip"), ("ETag", "\"v1\"")), gzipped, "gzip", compress: true, 1 << 20)!.Value;
        Assert.Equal("gzip", Find(headers, "Content-Encoding"));
        Assert.Equal("\"v1\"", Find(headers, "ETag"));
        Assert.Same(gzipped, body);
    }

    [Fact]
    public void UnknownOrBrokenEncoding_OrABomb_CannotBeServedToAViewerWhoDidNotAskForIt()
    {
        Assert.Null(ContentCodings.Fit(Headers("text/html", ("Content-Encoding", "zstd")), Page, null, compress: true, 1 << 20));
        Assert.Null(ContentCodings.Fit(Headers("text/html", ("Content-Encoding", "gzip")), Page, null, compress: true, 1 << 20));

        var bomb = ContentCodings.Encode("gzip", new byte[5_000_000]);
        Assert.True(bomb.Length < 20_000);
        Assert.Null(ContentCodings.Fit(Headers("text/html", ("Content-Encoding", "gzip")), bomb, null, compress: true, maxBytes: 1_000_000));
    }

    [Fact]
    public void VaryOfTheOrigin_GainsAcceptEncodingOnce()
    {
        var (headers, _) = ContentCodings.Fit(Headers("text/html", ("Vary", "Accept-Language")), Page, "gzip", compress: true, 1 << 20)!.Value;
        Assert.Equal("Accept-Language, Accept-Encoding", Find(headers, "Vary"));

        var (same, _) = ContentCodings.Fit(Headers("text/html", ("Vary", "accept-encoding")), Page, "gzip", compress: true, 1 << 20)!.Value;
        Assert.Equal("accept-encoding", Find(same, "Vary"));
    }

    [Fact]
    public void Revalidation_KeepsTheWeakenedValidatorOfAReencodedCopy()
    {
        HeaderField[] stored = [new("ETag", ["W/\"v1\""]), new("Content-Encoding", ["br"])];
        HeaderField[] merged = [new("Content-Encoding", ["br"]), new("ETag", ["\"v1\""])];
        Assert.Equal("W/\"v1\"", Find(ContentCodings.KeepWeakValidator(stored, merged), "ETag"));

        HeaderField[] changed = [new("ETag", ["\"v2\""])];
        Assert.Equal("\"v2\"", Find(ContentCodings.KeepWeakValidator(stored, changed), "ETag"));
    }
}

using System.IO.Compression;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace OrleansEdge.Bench.HitPath;

/// <summary>
/// The edge compresses a response once per encoding, on the miss that stores it: the level trades that miss's CPU
/// against every later hit's bytes. Measured on a shop's typical bodies (a product page, a catalogue's JSON, this
/// README as plain text); the compressed size of each is printed once, for the ratio.
/// </summary>
[MemoryDiagnoser]
public class CompressionLevelBenchmarks
{
    private byte[] _body = [];

    [Params("page.html", "catalogue.json", "README.md")]
    public string Body { get; set; } = "";

    [Params("gzip-1", "gzip-6", "gzip-9", "br-1", "br-4", "br-5", "br-6", "br-9", "br-11")]
    public string Level { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _body = Body switch
        {
            "page.html" => Encoding.UTF8.GetBytes(Page()),
            "catalogue.json" => Encoding.UTF8.GetBytes(Catalogue()),
            _ => File.ReadAllBytes(FindReadme()),
        };
        Console.WriteLine($"// {Body} {Level}: {_body.Length} -> {Compress().Length} bytes");
    }

    [Benchmark]
    public byte[] Compress()
    {
        var (coding, level) = (Level.Split('-')[0], int.Parse(Level.Split('-')[1]));
        if (coding == "br")
        {
            using var encoder = new BrotliEncoder(level, 22);
            var output = new byte[BrotliEncoder.GetMaxCompressedLength(_body.Length)];
            encoder.Compress(_body, output, out _, out var written, isFinalBlock: true);
            return output[..written];
        }

        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
        {
            gzip.Write(_body);
        }

        return compressed.ToArray();
    }

    private static string Page()
    {
        var page = new StringBuilder("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Electronics</title><link rel=\"stylesheet\" href=\"/static/site.css\"></head><body><main><ul class=\"products\">\n");
        for (var i = 0; i < 120; i++)
        {
            page.Append($"<li class=\"product\" data-id=\"{1000 + i * 7}\"><a href=\"/products/{1000 + i * 7}\"><img src=\"/img/{1000 + i * 7}.jpg\" alt=\"Product {i}\" loading=\"lazy\"></a>")
                .Append($"<h2>Wireless headphones model {i * 31 % 97}</h2><p class=\"price\">{19 + i * 13 % 300}.99 EUR</p>")
                .Append("<button class=\"add-to-cart\" type=\"button\">Add to cart</button></li>\n");
        }

        return page.Append("</ul></main></body></html>").ToString();
    }

    private static string Catalogue()
    {
        var items = Enumerable.Range(0, 300).Select(i =>
            $"{{\"id\":{5000 + i},\"name\":\"Item {i * 17 % 251}\",\"category\":\"electronics\",\"price\":{(i * 37 % 900) / 10.0:0.0},\"tags\":[\"product:{5000 + i}\",\"category:electronics\"],\"inStock\":{(i % 3 == 0 ? "false" : "true")}}}");
        return "{\"items\":[" + string.Join(",", items) + "]}";
    }

    private static string FindReadme()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var readme = Path.Combine(directory.FullName, "README.md");
            if (File.Exists(readme) && File.Exists(Path.Combine(directory.FullName, "OrleansEdge.sln")))
            {
                return readme;
            }
        }

        throw new FileNotFoundException("README.md of the repository");
    }
}

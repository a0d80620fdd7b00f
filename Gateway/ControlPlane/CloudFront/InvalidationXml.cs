using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Gateway.ControlPlane.CloudFront;

/// <summary>The XML of the CloudFront invalidation API, version 2020-05-31: the request batch and the answers.</summary>
internal static class InvalidationXml
{
    public const string Namespace = "http://cloudfront.amazonaws.com/doc/2020-05-31/";
    public const string ContentType = "text/xml";

    private static readonly XNamespace Ns = Namespace;

    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        // No DTDs and no external entities: a request body is data, never instructions to fetch something.
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = 64 * 1024 * 1024,
    };

    /// <summary>The batch a caller sent: its reference and its items as written.</summary>
    public sealed record Batch(string CallerReference, string[] Paths);

    /// <summary>Reads an InvalidationBatch; elements are found by name (the CLI's order follows its input), any namespace.</summary>
    public static Batch Parse(ReadOnlyMemory<byte> body, out CloudFrontError? error)
    {
        error = null;
        if (body.IsEmpty || body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            error = CloudFrontError.MissingBody();
            return null!;
        }

        XElement root;
        try
        {
            using var stream = new MemoryStream(body.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, ReaderSettings);
            root = XElement.Load(reader);
        }
        catch (XmlException exception)
        {
            error = CloudFrontError.MalformedXml(exception.Message);
            return null!;
        }

        if (root.Name.LocalName != "InvalidationBatch")
        {
            error = CloudFrontError.MalformedXml($"the root element must be InvalidationBatch, not {root.Name.LocalName}.");
            return null!;
        }

        var callerReference = Child(root, "CallerReference")?.Value;
        if (string.IsNullOrEmpty(callerReference))
        {
            error = CloudFrontError.InvalidArgument("The InvalidationBatch must have a non-empty CallerReference.");
            return null!;
        }

        if (Child(root, "Paths") is not { } paths)
        {
            error = CloudFrontError.InvalidArgument("The InvalidationBatch must have Paths.");
            return null!;
        }

        if (!int.TryParse(Child(paths, "Quantity")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var quantity))
        {
            error = CloudFrontError.MalformedXml("Paths must have a Quantity that is a whole number.");
            return null!;
        }

        var items = Child(paths, "Items")?.Elements().Where(e => e.Name.LocalName == "Path").Select(e => e.Value).ToArray() ?? [];
        if (quantity != items.Length)
        {
            error = CloudFrontError.InconsistentQuantities(quantity, items.Length);
            return null!;
        }

        if (items.Length == 0)
        {
            error = CloudFrontError.InvalidArgument("The InvalidationBatch must name at least one path.");
            return null!;
        }

        return new Batch(callerReference, items);
    }

    public static string Invalidation(InvalidationRecord record) =>
        Document(new XElement(Ns + "Invalidation",
            new XElement(Ns + "Id", record.Id),
            new XElement(Ns + "Status", record.Status.ToString()),
            new XElement(Ns + "CreateTime", Timestamp(record.Created)),
            new XElement(Ns + "InvalidationBatch",
                new XElement(Ns + "Paths",
                    new XElement(Ns + "Quantity", record.Paths.Length),
                    new XElement(Ns + "Items", record.Paths.Select(p => new XElement(Ns + "Path", p)))),
                new XElement(Ns + "CallerReference", record.CallerReference))));

    public static string List(InvalidationPage page, string? marker, int maxItems) =>
        Document(new XElement(Ns + "InvalidationList",
            new XElement(Ns + "Marker", marker ?? ""),
            page.NextMarker is null ? null : new XElement(Ns + "NextMarker", page.NextMarker),
            new XElement(Ns + "MaxItems", maxItems),
            new XElement(Ns + "IsTruncated", page.IsTruncated ? "true" : "false"),
            new XElement(Ns + "Quantity", page.Items.Length),
            page.Items.Length == 0 ? null : new XElement(Ns + "Items", page.Items.Select(i =>
                new XElement(Ns + "InvalidationSummary",
                    new XElement(Ns + "Id", i.Id),
                    new XElement(Ns + "CreateTime", Timestamp(i.Created)),
                    new XElement(Ns + "Status", i.Status.ToString()))))));

    public static string Error(CloudFrontError error, string requestId) =>
        Document(new XElement(Ns + "ErrorResponse",
            new XElement(Ns + "Error",
                new XElement(Ns + "Type", error.Status >= 500 ? "Receiver" : "Sender"),
                new XElement(Ns + "Code", error.Code),
                new XElement(Ns + "Message", error.Message)),
            new XElement(Ns + "RequestId", requestId)));

    /// <summary>ISO 8601 UTC with milliseconds, as CloudFront writes CreateTime.</summary>
    private static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static XElement? Child(XElement parent, string name) => parent.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    private static string Document(XElement root)
    {
        var builder = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        using (var writer = XmlWriter.Create(builder, new XmlWriterSettings { OmitXmlDeclaration = true }))
        {
            root.WriteTo(writer);
        }

        return builder.ToString();
    }
}

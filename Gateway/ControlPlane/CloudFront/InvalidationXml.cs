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

    /// <summary>InvalidationBatch/Paths/Items/Path is three levels below the root; deeper documents are not batches.</summary>
    private const int MaxDepth = 8;

    /// <summary>
    /// CloudFront documents no length for a caller reference; ours is kept with every log entry, so it is bounded
    /// (timestamps, UUIDs and deploy ids fit many times over).
    /// </summary>
    public const int MaxCallerReferenceLength = 256;

    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        // No DTDs and no external entities: a request body is data, never instructions to fetch something.
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    /// <summary>The batch a caller sent: its reference and its items as written.</summary>
    public sealed record Batch(string CallerReference, string[] Paths);

    /// <summary>
    /// Reads an InvalidationBatch in one streaming pass (linear in the body, nesting capped); elements are found
    /// by name (the CLI's order follows its input), in any namespace.
    /// </summary>
    public static Batch Parse(ReadOnlyMemory<byte> body, out CloudFrontError? error)
    {
        error = null;
        if (body.IsEmpty || body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            error = CloudFrontError.MissingBody();
            return null!;
        }

        string? callerReference = null;
        string? quantityText = null;
        var sawPaths = false;
        var items = new List<string>();
        try
        {
            using var stream = new MemoryStream(body.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, ReaderSettings);
            reader.MoveToContent();
            if (reader.LocalName != "InvalidationBatch")
            {
                error = CloudFrontError.MalformedXml($"the root element must be InvalidationBatch, not {InvalidationItemParser.Printable(reader.LocalName)}.");
                return null!;
            }

            // The names of the open elements below the root, so each value is read where it belongs.
            var open = new List<string>();
            var advanced = reader.Read();
            while (advanced)
            {
                if (reader.Depth > MaxDepth)
                {
                    error = CloudFrontError.MalformedXml($"elements are nested more than {MaxDepth} levels deep.");
                    return null!;
                }

                if (reader.NodeType == XmlNodeType.EndElement)
                {
                    if (open.Count > 0)
                    {
                        open.RemoveAt(open.Count - 1);
                    }

                    advanced = reader.Read();
                    continue;
                }

                if (reader.NodeType != XmlNodeType.Element)
                {
                    advanced = reader.Read();
                    continue;
                }

                var name = reader.LocalName;
                var parent = open.Count > 0 ? open[^1] : null;
                var grandparent = open.Count > 1 ? open[^2] : null;
                string? value = null;
                if (open.Count == 0 && name == "CallerReference")
                {
                    value = reader.ReadElementContentAsString();
                    callerReference ??= value;
                }
                else if (open.Count == 1 && parent == "Paths" && name == "Quantity")
                {
                    value = reader.ReadElementContentAsString();
                    quantityText ??= value;
                }
                else if (open.Count == 2 && grandparent == "Paths" && parent == "Items" && name == "Path")
                {
                    value = reader.ReadElementContentAsString();
                    items.Add(value);
                }

                if (value is not null)
                {
                    // ReadElementContentAsString has moved past the end tag already.
                    advanced = !reader.EOF;
                    continue;
                }

                sawPaths |= open.Count == 0 && name == "Paths";
                if (!reader.IsEmptyElement)
                {
                    open.Add(name);
                }

                advanced = reader.Read();
            }
        }
        catch (XmlException exception)
        {
            error = CloudFrontError.MalformedXml(InvalidationItemParser.Printable(exception.Message));
            return null!;
        }

        if (string.IsNullOrEmpty(callerReference))
        {
            error = CloudFrontError.InvalidArgument("The InvalidationBatch must have a non-empty CallerReference.");
            return null!;
        }

        if (callerReference.Length > MaxCallerReferenceLength)
        {
            error = CloudFrontError.InvalidArgument($"The CallerReference is longer than {MaxCallerReferenceLength} characters.");
            return null!;
        }

        if (!sawPaths)
        {
            error = CloudFrontError.InvalidArgument("The InvalidationBatch must have Paths.");
            return null!;
        }

        if (!int.TryParse(quantityText, NumberStyles.None, CultureInfo.InvariantCulture, out var quantity))
        {
            error = CloudFrontError.MalformedXml("Paths must have a Quantity that is a whole number.");
            return null!;
        }

        if (quantity != items.Count)
        {
            error = CloudFrontError.InconsistentQuantities(quantity, items.Count);
            return null!;
        }

        if (items.Count == 0)
        {
            error = CloudFrontError.InvalidArgument("The InvalidationBatch must name at least one path.");
            return null!;
        }

        return new Batch(callerReference, [.. items]);
    }

    public static string Invalidation(InvalidationRecord record) =>
        Document(new XElement(Ns + "Invalidation",
            new XElement(Ns + "Id", record.Id),
            new XElement(Ns + "Status", record.Status.ToString()),
            new XElement(Ns + "CreateTime", Timestamp(record.Created)),
            new XElement(Ns + "InvalidationBatch",
                new XElement(Ns + "Paths",
                    new XElement(Ns + "Quantity", record.Paths.Length),
                    new XElement(Ns + "Items", record.Paths.Select(p => new XElement(Ns + "Path", InvalidationItemParser.Printable(p))))),
                new XElement(Ns + "CallerReference", InvalidationItemParser.Printable(record.CallerReference)))));

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
                new XElement(Ns + "Message", InvalidationItemParser.Printable(error.Message))),
            new XElement(Ns + "RequestId", requestId)));

    /// <summary>ISO 8601 UTC with milliseconds, as CloudFront writes CreateTime.</summary>
    private static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

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

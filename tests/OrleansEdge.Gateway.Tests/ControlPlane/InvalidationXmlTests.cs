using System.Text;
using OrleansEdge.Gateway.ControlPlane.CloudFront;
using OrleansEdge.Grains.Interfaces.Invalidations;

namespace OrleansEdge.Gateway.Tests.ControlPlane;

public sealed class InvalidationXmlTests
{
    private static InvalidationXml.Batch? Parse(string xml, out CloudFrontError? error) =>
        InvalidationXml.Parse(Encoding.UTF8.GetBytes(xml), out error);

    [Fact]
    public void CliBatch_ParsedByName_AnyOrder()
    {
        var cli = Parse("""<InvalidationBatch xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><CallerReference>cli-1</CallerReference><Paths><Quantity>2</Quantity><Items><Path>#tag</Path><Path>/a b?x=1&amp;y=é</Path></Items></Paths></InvalidationBatch>""", out var error);
        Assert.Null(error);
        Assert.Equal("cli-1", cli!.CallerReference);
        Assert.Equal(["#tag", "/a b?x=1&y=é"], cli.Paths);

        var reordered = Parse("<InvalidationBatch><Paths><Items><Path>/x</Path></Items><Quantity>1</Quantity></Paths><CallerReference>ref-1</CallerReference></InvalidationBatch>", out error);
        Assert.Null(error);
        Assert.Equal(["/x"], reordered!.Paths);
    }

    [Theory]
    [InlineData("", "MissingBody")]
    [InlineData("  \n", "MissingBody")]
    [InlineData("<InvalidationBatch><CallerReference>r", "MalformedXML")]
    [InlineData("<Other/>", "MalformedXML")]
    [InlineData("<InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/a</Path></Items></Paths></InvalidationBatch>", "InvalidArgument")]
    [InlineData("<InvalidationBatch><CallerReference>r</CallerReference></InvalidationBatch>", "InvalidArgument")]
    [InlineData("<InvalidationBatch><CallerReference>r</CallerReference><Paths><Quantity>two</Quantity></Paths></InvalidationBatch>", "MalformedXML")]
    [InlineData("<InvalidationBatch><CallerReference>r</CallerReference><Paths><Quantity>2</Quantity><Items><Path>/a</Path></Items></Paths></InvalidationBatch>", "InconsistentQuantities")]
    [InlineData("<InvalidationBatch><CallerReference>r</CallerReference><Paths><Quantity>0</Quantity></Paths></InvalidationBatch>", "InvalidArgument")]
    public void BadBatch_CloudFrontErrorCode(string xml, string code)
    {
        Parse(xml, out var error);
        Assert.Equal(code, error!.Code);
    }

    [Fact]
    public void DocumentTypeDeclaration_RefusedNotResolved()
    {
        Parse("""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><InvalidationBatch><CallerReference>&e;</CallerReference></InvalidationBatch>""", out var error);
        Assert.Equal("MalformedXML", error!.Code);
    }

    [Fact]
    public void Invalidation_WrittenAsCloudFrontDoes()
    {
        var xml = InvalidationXml.Invalidation(new InvalidationRecord
        {
            Id = "I2J0I21PCUYOIK",
            Distribution = "E1",
            Tenant = "",
            CallerReference = "cli-123",
            Paths = ["#tag", "/a&b"],
            Status = InvalidationStatus.InProgress,
            Created = new DateTimeOffset(2026, 11, 24, 14, 29, 0, 5, TimeSpan.Zero),
        });
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Invalidation xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Id>I2J0I21PCUYOIK</Id><Status>InProgress</Status><CreateTime>2026-11-24T14:29:00.005Z</CreateTime>", xml);
        Assert.Contains("<Paths><Quantity>2</Quantity><Items><Path>#tag</Path><Path>/a&amp;b</Path></Items></Paths><CallerReference>cli-123</CallerReference>", xml);
    }

    [Fact]
    public void Error_InCloudFrontEnvelope()
    {
        var xml = InvalidationXml.Error(CloudFrontError.NoSuchDistribution("E9"), "req-1");
        Assert.Contains("<ErrorResponse xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Error><Type>Sender</Type><Code>NoSuchDistribution</Code>", xml);
        Assert.EndsWith("<RequestId>req-1</RequestId></ErrorResponse>", xml);
    }
}

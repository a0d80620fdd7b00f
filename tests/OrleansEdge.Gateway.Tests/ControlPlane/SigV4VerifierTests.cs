using System.Text;
using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Gateway.ControlPlane.SigV4;

namespace OrleansEdge.Gateway.Tests.ControlPlane;

public sealed class SigV4VerifierTests
{
    private const string KeyId = "AKIAEDGETEST00000001";
    private const string Secret = "test/secret";
    private static readonly DateTimeOffset SignedAt = new(2026, 11, 24, 14, 34, 58, TimeSpan.Zero);
    private static readonly CredentialOptions[] Credentials = [new() { AccessKeyId = KeyId, SecretAccessKey = Secret }];
    private const string Body = "<InvalidationBatch><CallerReference>r</CallerReference></InvalidationBatch>";

    [Fact]
    public void AwsTestSuiteVector_GetVanilla()
    {
        // From AWS's Signature Version 4 test suite: GET / to example.amazonaws.com, service "service".
        var request = Request("GET", "/", "", "", ("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z"));
        var signature = SigV4Verifier.Signature(request, ["host", "x-amz-date"], "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20150830T123600Z", "20150830", "us-east-1", "service");
        Assert.Equal("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", signature);
    }

    [Fact]
    public void SignedAsTheCliSigns_Accepted() => Assert.Null(SigV4Verifier.Verify(Signed(), Credentials, SignedAt.AddMinutes(1)));

    [Fact]
    public void WrongSecret_Rejected() =>
        Assert.Contains("does not match", SigV4Verifier.Verify(Signed(secret: "guess"), Credentials, SignedAt));

    [Fact]
    public void UnknownAccessKey_Rejected() =>
        Assert.Contains("does not match", SigV4Verifier.Verify(Signed(keyId: "AKIAOTHER"), Credentials, SignedAt));

    [Fact]
    public void BodyChangedAfterSigning_Rejected()
    {
        var signed = Signed();
        var tampered = signed with { Body = Encoding.UTF8.GetBytes(Body.Replace(">r<", ">s<", StringComparison.Ordinal)) };
        Assert.Contains("does not match", SigV4Verifier.Verify(tampered, Credentials, SignedAt));
    }

    [Fact]
    public void BodySwapped_WithTheSignedBodysHashDeclared_Rejected()
    {
        // A capture of a request signed for one body, replayed with another body and the first body's hash declared.
        var signed = Signed();
        var declaredHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Body)));
        var swapped = WithHeader(signed, "X-Amz-Content-SHA256", declaredHash) with { Body = Encoding.UTF8.GetBytes("<InvalidationBatch>/*</InvalidationBatch>") };
        Assert.NotNull(SigV4Verifier.Verify(swapped, Credentials, SignedAt));
    }

    [Fact]
    public void DeclaredHash_MatchingTheBody_Accepted()
    {
        var declaredHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Body)));
        Assert.Null(SigV4Verifier.Verify(WithHeader(Signed(), "X-Amz-Content-SHA256", declaredHash), Credentials, SignedAt));
    }

    [Fact]
    public void SignedHeadersOutOfOrder_Rejected()
    {
        var signed = Signed();
        var authorization = signed.Header("Authorization")[0].Replace("SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date;host", StringComparison.Ordinal);
        Assert.Contains("sorted", SigV4Verifier.Verify(WithHeader(signed, "Authorization", authorization), Credentials, SignedAt));
    }

    [Fact]
    public void ReplayedAfterSixteenMinutes_RejectedAsSkewed() =>
        Assert.Contains("too far", SigV4Verifier.Verify(Signed(), Credentials, SignedAt.AddMinutes(16)));

    [Fact]
    public void Unsigned_Rejected() =>
        Assert.Contains("not signed", SigV4Verifier.Verify(Request("POST", "/x", "", Body), Credentials, SignedAt));

    [Fact]
    public void QueryParameters_CanonicalisedInOrder()
    {
        var signed = Signed(path: "/2020-05-31/distribution/E1/invalidation", query: "MaxItems=1&Marker=I2J0");
        Assert.Null(SigV4Verifier.Verify(signed, Credentials, SignedAt));
        var changed = signed with { RawQuery = "MaxItems=2&Marker=I2J0" };
        Assert.NotNull(SigV4Verifier.Verify(changed, Credentials, SignedAt));
    }

    private static SignedRequest Signed(string keyId = KeyId, string secret = Secret, string path = "/2020-05-31/distribution/E1/invalidation", string query = "")
    {
        var amzDate = SignedAt.ToString("yyyyMMdd'T'HHmmss'Z'");
        var unsigned = Request("POST", path, query, Body, ("Host", "127.0.0.1:18555"), ("X-Amz-Date", amzDate));
        var signature = SigV4Verifier.Signature(unsigned, ["host", "x-amz-date"], secret, amzDate, amzDate[..8], "us-east-1", "cloudfront");
        var authorization = $"AWS4-HMAC-SHA256 Credential={keyId}/{amzDate[..8]}/us-east-1/cloudfront/aws4_request, SignedHeaders=host;x-amz-date, Signature={signature}";
        return Request("POST", path, query, Body, ("Host", "127.0.0.1:18555"), ("X-Amz-Date", amzDate), ("Authorization", authorization));
    }

    /// <summary>The request with one header replaced (or added).</summary>
    private static SignedRequest WithHeader(SignedRequest request, string name, string value)
    {
        var original = request.Header;
        return request with
        {
            Header = header => string.Equals(header, name, StringComparison.OrdinalIgnoreCase) ? [value] : original(header),
        };
    }

    private static SignedRequest Request(string method, string path, string query, string body, params (string Name, string Value)[] headers) =>
        new(method, path, query,
            name => headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToArray(),
            Encoding.UTF8.GetBytes(body));
}

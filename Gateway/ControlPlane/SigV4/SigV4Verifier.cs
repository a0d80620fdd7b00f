using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OrleansEdge.Gateway.Configuration;

namespace OrleansEdge.Gateway.ControlPlane.SigV4;

/// <summary>
/// Verifies AWS Signature Version 4 (the Authorization header form the AWS CLI and SDKs send) against the
/// configured credentials, for the service <c>cloudfront</c>. See
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
/// </summary>
internal static class SigV4Verifier
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string Service = "cloudfront";

    /// <summary>AWS rejects requests whose X-Amz-Date is further than this from its clock; so do we, to bound replays.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(15);

    /// <summary>Null when the signature is valid, else why it is not (safe to show the caller).</summary>
    public static string? Verify(SignedRequest request, IReadOnlyList<CredentialOptions> credentials, DateTimeOffset now)
    {
        var authorization = request.Header("Authorization");
        if (authorization.Count != 1 || !authorization[0].StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return "The request is not signed with AWS Signature Version 4 (AWS4-HMAC-SHA256).";
        }

        if (!TryParseAuthorization(authorization[0], out var credential, out var signedHeaders, out var signature))
        {
            return "The Authorization header is malformed.";
        }

        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[3] != Service || scope[4] != "aws4_request")
        {
            return "The credential scope must be <key>/<date>/<region>/cloudfront/aws4_request.";
        }

        var dateValues = request.Header("X-Amz-Date");
        if (dateValues.Count != 1 || !DateTimeOffset.TryParseExact(dateValues[0], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
        {
            return "X-Amz-Date is missing or not in the form yyyyMMddTHHmmssZ.";
        }

        if ((now - signedAt).Duration() > MaxClockSkew)
        {
            return "The request time is too far from the server time (more than 15 minutes): it may be a replay.";
        }

        if (scope[1] != dateValues[0][..8])
        {
            return "The credential scope date does not match X-Amz-Date.";
        }

        var signed = signedHeaders.Split(';');
        if (Array.IndexOf(signed, "host") < 0 || Array.IndexOf(signed, "x-amz-date") < 0)
        {
            return "The signed headers must include host and x-amz-date.";
        }

        // SigV4 lists signed headers in lower case, sorted, each once: any other spelling is not what a signer made.
        for (var i = 0; i < signed.Length; i++)
        {
            if (signed[i].Length == 0 || !signed[i].Equals(signed[i].ToLowerInvariant(), StringComparison.Ordinal)
                || (i > 0 && string.CompareOrdinal(signed[i - 1], signed[i]) >= 0))
            {
                return "SignedHeaders must list lower-case header names in sorted order, each once.";
            }
        }

        // The signature covers the hash of the body as received. A declared hash is only a claim about the body:
        // it must agree with the bytes, or a signature made for one body would authorise another.
        var declared = request.Header("X-Amz-Content-SHA256");
        if (declared.Count > 1 || (declared.Count == 1 && !string.Equals(declared[0], PayloadHash(request.Body.Span), StringComparison.OrdinalIgnoreCase)))
        {
            return "X-Amz-Content-SHA256 does not match the SHA-256 of the body received.";
        }

        var secret = FindSecret(credentials, scope[0]);
        var expected = Encoding.ASCII.GetBytes(Signature(request, signed, secret ?? "", dateValues[0], scope[1], scope[2], scope[3]));

        // Compared in constant time, and computed even for an unknown key, so timing tells nothing.
        var matches = CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
        return secret is not null && matches ? null : "The request signature does not match (unknown access key or wrong secret).";
    }

    /// <summary>The hex signature of a request, as the signer computes it.</summary>
    internal static string Signature(SignedRequest request, string[] signedHeaders, string secret, string amzDate, string date, string region, string service)
    {
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = string.Join('\n', Algorithm, amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalRequest(request, signedHeaders)))));
        return Hex(HMACSHA256.HashData(SigningKey(secret, date, region, service), Encoding.UTF8.GetBytes(stringToSign)));
    }

    internal static string CanonicalRequest(SignedRequest request, string[] signedHeaders)
    {
        var builder = new StringBuilder();
        builder.Append(request.Method).Append('\n');
        builder.Append(CanonicalPath(request.RawPath)).Append('\n');
        builder.Append(CanonicalQuery(request.RawQuery)).Append('\n');
        foreach (var name in signedHeaders)
        {
            builder.Append(name).Append(':').Append(string.Join(',', request.Header(name).Select(CollapseSpaces))).Append('\n');
        }

        builder.Append('\n').Append(string.Join(';', signedHeaders)).Append('\n');
        builder.Append(PayloadHash(request.Body.Span));
        return builder.ToString();
    }

    private static string PayloadHash(ReadOnlySpan<byte> body) => Hex(SHA256.HashData(body));

    private static byte[] SigningKey(string secret, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    /// <summary>Services other than S3 encode each path twice: the path as sent is encoded once more.</summary>
    private static string CanonicalPath(string rawPath) => rawPath.Length == 0 ? "/" : Encode(rawPath, keepSlash: true);

    private static string CanonicalQuery(string rawQuery)
    {
        if (rawQuery.Length == 0)
        {
            return "";
        }

        var pairs = new List<(string Name, string Value)>();
        foreach (var part in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=');
            var name = Uri.UnescapeDataString(equals < 0 ? part : part[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(part[(equals + 1)..]);
            pairs.Add((Encode(name, keepSlash: false), Encode(value, keepSlash: false)));
        }

        pairs.Sort(static (a, b) => a.Name != b.Name ? string.CompareOrdinal(a.Name, b.Name) : string.CompareOrdinal(a.Value, b.Value));
        return string.Join('&', pairs.Select(static p => $"{p.Name}={p.Value}"));
    }

    /// <summary>RFC 3986 encoding as SigV4 wants it: unreserved characters kept, everything else %XX (upper case).</summary>
    private static string Encode(string value, bool keepSlash)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static string CollapseSpaces(string value)
    {
        var trimmed = value.Trim();
        var builder = new StringBuilder(trimmed.Length);
        var space = false;
        foreach (var c in trimmed)
        {
            if (c == ' ')
            {
                if (!space)
                {
                    builder.Append(c);
                }

                space = true;
            }
            else
            {
                builder.Append(c);
                space = false;
            }
        }

        return builder.ToString();
    }

    private static bool TryParseAuthorization(string header, out string credential, out string signedHeaders, out string signature)
    {
        credential = signedHeaders = signature = "";
        foreach (var part in header[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0)
            {
                return false;
            }

            var value = part[(equals + 1)..];
            switch (part[..equals])
            {
                case "Credential":
                    credential = value;
                    break;
                case "SignedHeaders":
                    signedHeaders = value;
                    break;
                case "Signature":
                    signature = value;
                    break;
            }
        }

        return credential.Length > 0 && signedHeaders.Length > 0 && signature.Length > 0;
    }

    private static string? FindSecret(IReadOnlyList<CredentialOptions> credentials, string accessKeyId)
    {
        foreach (var credential in credentials)
        {
            if (string.Equals(credential.AccessKeyId, accessKeyId, StringComparison.Ordinal))
            {
                return credential.SecretAccessKey;
            }
        }

        return null;
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}

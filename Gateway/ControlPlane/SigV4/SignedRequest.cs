namespace OrleansEdge.Gateway.ControlPlane.SigV4;

/// <summary>What Signature Version 4 covers of a request, exactly as it arrived.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="RawPath">The path as sent, still percent-encoded.</param>
/// <param name="RawQuery">The query without its '?', as sent.</param>
/// <param name="Header">All values of a header (by case-insensitive name), or none.</param>
/// <param name="Body">The request body.</param>
internal sealed record SignedRequest(string Method, string RawPath, string RawQuery, Func<string, IReadOnlyList<string>> Header, ReadOnlyMemory<byte> Body);

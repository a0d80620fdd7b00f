using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OrleansEdge.Tests.Shared;

namespace OrleansEdge.EndToEnd.Tests;

/// <summary>
/// SPEC §3b over real TLS: a gateway with http and https viewer and control endpoints, a certificate the test makes
/// (PEM files), HTTP/2 by ALPN, each ViewerProtocolPolicy, and a renewed certificate presented without a restart.
/// </summary>
public sealed class TlsTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orleansedge-tls-").FullName;
    private readonly int _http = FreePort.Next();
    private readonly int _https = FreePort.Next();
    private readonly int _control = FreePort.Next();
    private readonly int _controlTls = FreePort.Next();
    private TestOrigin _origin = null!;
    private EdgeProcess _gateway = null!;
    private string _thumbprint = "";

    private string CertificatePath => Path.Combine(_folder, "edge.crt");

    private string KeyPath => Path.Combine(_folder, "edge.key");

    public async Task InitializeAsync()
    {
        _thumbprint = WriteCertificate("edge-1");
        _origin = await TestOrigin.StartAsync();
        _gateway = EdgeProcess.Start("Gateway",
        [
            $"--Edge:Listen:Viewer=http://127.0.0.1:{_http};https://127.0.0.1:{_https}",
            $"--Edge:Listen:Control=http://127.0.0.1:{_control};https://127.0.0.1:{_controlTls}",
            $"--Edge:Listen:Certificate:Path={CertificatePath}",
            $"--Edge:Listen:Certificate:KeyPath={KeyPath}",
            $"--Edge:Cluster:SiloPort={FreePort.Next()}",
            $"--Edge:Cluster:GatewayPort={FreePort.Next()}",
            $"--Edge:Distributions:E1:Origin={_origin.BaseUrl}",
            "--Edge:Distributions:E1:Domains:0=tls.test",
            $"--Edge:Distributions:E2:Origin={_origin.BaseUrl}",
            "--Edge:Distributions:E2:Domains:0=redirect.test",
            "--Edge:Distributions:E2:ViewerProtocolPolicy=redirect-to-https",
            $"--Edge:Distributions:E3:Origin={_origin.BaseUrl}",
            "--Edge:Distributions:E3:Domains:0=secure.test",
            "--Edge:Distributions:E3:ViewerProtocolPolicy=https-only",
        ]);
        await _gateway.WaitReadyAsync($"http://127.0.0.1:{_control}/readyz");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _origin.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A self-signed certificate for 127.0.0.1 written as PEM files; returns its thumbprint.</summary>
    private string WriteCertificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        // Key first: a renewal seen half-way (new key, old certificate) must not replace the certificate presented.
        File.WriteAllText(KeyPath + ".tmp", key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(CertificatePath + ".tmp", certificate.ExportCertificatePem());
        File.Move(KeyPath + ".tmp", KeyPath, overwrite: true);
        File.Move(CertificatePath + ".tmp", CertificatePath, overwrite: true);
        return certificate.Thumbprint;
    }

    private HttpClient Client() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        SslOptions = new SslClientAuthenticationOptions
        {
            // Trusted by thumbprint: the certificate is one this test made.
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && KnownThumbprints.Contains(certificate.GetCertHashString()),
        },
    });

    private readonly HashSet<string> KnownThumbprints = new(StringComparer.OrdinalIgnoreCase);

    private static HttpRequestMessage Get(string url, string host, Version version) => new(HttpMethod.Get, url)
    {
        Version = version,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Headers = { Host = host },
    };

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    [Fact]
    public async Task Https_OffersHttp2_AndServesFromTheCache()
    {
        KnownThumbprints.Add(_thumbprint);
        using var client = Client();
        var target = $"/tls/{Guid.NewGuid():N}";
        using var miss = await client.SendAsync(Get($"https://127.0.0.1:{_https}{target}", "tls.test", HttpVersion.Version20));
        Assert.Equal(HttpVersion.Version20, miss.Version);
        Assert.Equal(HttpStatusCode.OK, miss.StatusCode);
        Assert.Equal("Miss from orleansedge", Header(miss, "X-Cache"));

        using var hit = await client.SendAsync(Get($"https://127.0.0.1:{_https}{target}", "tls.test", HttpVersion.Version20));
        Assert.Equal("Hit from orleansedge", Header(hit, "X-Cache"));

        // Plain http on the same distribution (allow-all) is the same object.
        using var plain = await client.SendAsync(Get($"http://127.0.0.1:{_http}{target}", "tls.test", HttpVersion.Version11));
        Assert.Equal("Hit from orleansedge", Header(plain, "X-Cache"));
        Assert.Equal(1, _origin.Requests(target));
    }

    [Fact]
    public async Task Curl_NegotiatesHttp2OverTls()
    {
        var target = $"/curl/{Guid.NewGuid():N}";
        await using var curl = EdgeProcess.Run("curl",
            ["--http2", "-sk", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", "-H", "Host: tls.test", $"https://127.0.0.1:{_https}{target}"]);
        Assert.Equal(0, await curl.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("2 200", curl.Output.Trim());
    }

    [Fact]
    public async Task RedirectToHttps_Answers301ToTheHttpsUrl()
    {
        KnownThumbprints.Add(_thumbprint);
        using var client = Client();
        using var redirect = await client.SendAsync(Get($"http://127.0.0.1:{_http}/cart?step=2", "redirect.test:8080", HttpVersion.Version11));
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal($"https://redirect.test:{_https}/cart?step=2", redirect.Headers.Location?.ToString());
        Assert.Equal(0, _origin.Requests("/cart?step=2"));

        using var secure = await client.SendAsync(Get($"https://127.0.0.1:{_https}/cart?step=2", "redirect.test", HttpVersion.Version20));
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
    }

    [Fact]
    public async Task HttpsOnly_Answers403OverHttp()
    {
        KnownThumbprints.Add(_thumbprint);
        using var client = Client();
        var target = $"/account/{Guid.NewGuid():N}";
        using var refused = await client.SendAsync(Get($"http://127.0.0.1:{_http}{target}", "secure.test", HttpVersion.Version11));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(0, _origin.Requests(target));

        using var served = await client.SendAsync(Get($"https://127.0.0.1:{_https}{target}", "secure.test", HttpVersion.Version11));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task ControlPlane_AnswersOverTls()
    {
        KnownThumbprints.Add(_thumbprint);
        using var client = Client();
        using var health = await client.GetAsync($"https://127.0.0.1:{_controlTls}/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task RenewedCertificate_IsPresentedWithoutARestart()
    {
        Assert.Equal(_thumbprint, await PresentedThumbprintAsync(), ignoreCase: true);
        var renewed = WriteCertificate("edge-2");

        var presented = "";
        for (var i = 0; i < 100 && !string.Equals(presented, renewed, StringComparison.OrdinalIgnoreCase); i++)
        {
            await Task.Delay(100);
            presented = await PresentedThumbprintAsync();
        }

        Assert.Equal(renewed, presented, ignoreCase: true);

        // The console logger writes on its own thread: the line follows the handshake.
        for (var i = 0; i < 100 && !_gateway.Output.Contains("TLS certificate", StringComparison.Ordinal); i++)
        {
            await Task.Delay(50);
        }

        Assert.Contains("reloaded: CN=edge-2", _gateway.Output);
    }

    private async Task<string> PresentedThumbprintAsync()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _https);
        var presented = "";
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) =>
        {
            presented = certificate?.GetCertHashString() ?? "";
            return true;
        });
        await tls.AuthenticateAsClientAsync("127.0.0.1");
        return presented;
    }
}

using OrleansEdge.Gateway.Configuration;

namespace OrleansEdge.Gateway.Tests.Configuration;

public sealed class EdgeOptionsValidatorTests
{
    private static EdgeOptions Valid() => new()
    {
        Distributions = new(StringComparer.OrdinalIgnoreCase)
        {
            ["E1"] = new DistributionOptions { Origin = "http://127.0.0.1:9000", Domains = ["shop.example"] },
        },
    };

    private static string SingleError(EdgeOptions options) => Assert.Single(EdgeOptionsValidator.Check(options));

    [Fact]
    public void ValidConfiguration_NoErrors() => Assert.Empty(EdgeOptionsValidator.Check(Valid()));

    [Theory]
    [InlineData("bad header")]
    [InlineData("x-tag:")]
    [InlineData("")]
    public void BadTagHeaderName_NamesTheKey(string header)
    {
        var options = Valid();
        options.Distributions["E1"].CacheTags.Header = header;
        Assert.StartsWith("Edge:Distributions:E1:CacheTags:Header:", SingleError(options));
    }

    [Fact]
    public void TagHeaderOf256Characters_Rejected()
    {
        var options = Valid();
        options.Distributions["E1"].CacheTags.Header = new string('h', 256);
        Assert.StartsWith("Edge:Distributions:E1:CacheTags:Header:", SingleError(options));
    }

    [Fact]
    public void TtlMinAboveMax_NamesTheKey()
    {
        var options = Valid();
        options.Distributions["E1"].Ttl = new TtlOptions { Min = TimeSpan.FromHours(2), Max = TimeSpan.FromHours(1), Default = TimeSpan.FromHours(1) };
        Assert.StartsWith("Edge:Distributions:E1:Ttl:Min:", SingleError(options));
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://origin")]
    [InlineData("http://origin/?q=1")]
    public void BadOrigin_NamesTheKey(string origin)
    {
        var options = Valid();
        options.Distributions["E1"].Origin = origin;
        Assert.StartsWith("Edge:Distributions:E1:Origin:", SingleError(options));
    }

    [Fact]
    public void DomainRoutedTwice_NamesBothKeys()
    {
        var options = Valid();
        options.Distributions["E2"] = new DistributionOptions { Origin = "http://127.0.0.1:9001", Domains = ["SHOP.example"] };
        var error = SingleError(options);
        Assert.Contains("Edge:Distributions:E2:Domains:0", error);
        Assert.Contains("Edge:Distributions:E1:Domains:0", error);
    }

    [Fact]
    public void NonLoopbackControlPlaneWithoutCredentials_Refused()
    {
        var options = Valid();
        options.Listen.Control = "http://0.0.0.0:8081";
        var errors = EdgeOptionsValidator.Check(options);
        Assert.Contains(errors, e => e.StartsWith("Edge:Credentials:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Edge:PurgeToken:", StringComparison.Ordinal));
    }

    [Fact]
    public void SamePortForViewerAndControl_Refused()
    {
        var options = Valid();
        options.Listen.Control = options.Listen.Viewer;
        Assert.StartsWith("Edge:Listen:Control:", SingleError(options));
    }

    [Fact]
    public void EveryProblemReported_NotJustTheFirst()
    {
        var options = Valid();
        options.Distributions["E1"].CacheTags.Header = "bad header";
        options.Distributions["E1"].Origin = "nope";
        options.Distributions["E1"].OriginTimeout = TimeSpan.Zero;
        Assert.Equal(3, EdgeOptionsValidator.Check(options).Count);
    }

    [Fact]
    public void UnknownCachePolicy_NamesTheBehaviorsKey()
    {
        var options = Valid();
        options.Distributions["E1"].Behaviors.Add(new CacheBehaviorOptions { PathPattern = "/api/*", CachePolicy = "Nope" });
        Assert.StartsWith("Edge:Distributions:E1:Behaviors:0:CachePolicy: no cache policy is named 'Nope'", SingleError(options));

        options = Valid();
        options.Distributions["E1"].CachePolicy = "Missing";
        Assert.StartsWith("Edge:Distributions:E1:CachePolicy:", SingleError(options));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/a b/*")]
    public void BadPathPattern_NamesTheKey(string pattern)
    {
        var options = Valid();
        options.Distributions["E1"].Behaviors.Add(new CacheBehaviorOptions { PathPattern = pattern, CachePolicy = "CachingDisabled" });
        Assert.StartsWith("Edge:Distributions:E1:Behaviors:0:PathPattern:", SingleError(options));
    }

    [Fact]
    public void ConfiguredPolicy_IsUsable_AndItsMistakesNamed()
    {
        var options = Valid();
        options.CachePolicies["Shop"] = new CachePolicyOptions
        {
            QueryStrings = new KeyItemsOptions { Behavior = "AllExcept", Items = ["utm_source"] },
            Headers = ["Accept-Language"],
            Cookies = new KeyItemsOptions { Behavior = "Allow", Items = ["session"] },
        };
        options.Distributions["E1"].CachePolicy = "shop";
        Assert.Empty(EdgeOptionsValidator.Check(options));

        options.CachePolicies["Shop"].QueryStrings!.Behavior = "Some";
        Assert.StartsWith("Edge:CachePolicies:Shop:QueryStrings:Behavior: 'Some' is not one of", SingleError(options));

        options.CachePolicies["Shop"].QueryStrings = new KeyItemsOptions { Behavior = "Allow" };
        Assert.StartsWith("Edge:CachePolicies:Shop:QueryStrings:Items:", SingleError(options));

        options.CachePolicies["Shop"].QueryStrings = null;
        options.CachePolicies["Shop"].Cookies = new KeyItemsOptions { Behavior = "None", Items = ["session"] };
        Assert.StartsWith("Edge:CachePolicies:Shop:Cookies:Items:", SingleError(options));

        options.CachePolicies["Shop"].Cookies = null;
        options.CachePolicies["Shop"].Headers = ["Cookie"];
        Assert.StartsWith("Edge:CachePolicies:Shop:Headers:0: 'Cookie' cannot be in a cache key", SingleError(options));

        options.CachePolicies["Shop"].Headers = ["bad header"];
        Assert.StartsWith("Edge:CachePolicies:Shop:Headers:0:", SingleError(options));

        options.CachePolicies["Shop"].Headers = null;
        options.CachePolicies["Shop"].Ttl = new TtlOptions { Min = TimeSpan.FromHours(2), Max = TimeSpan.FromHours(1), Default = TimeSpan.FromHours(1) };
        Assert.StartsWith("Edge:CachePolicies:Shop:Ttl:Min:", SingleError(options));
    }

    [Fact]
    public void BuiltInPolicy_CannotBeRedefined()
    {
        var options = Valid();
        options.CachePolicies["CachingDisabled"] = new CachePolicyOptions();
        Assert.StartsWith("Edge:CachePolicies:CachingDisabled: 'CachingDisabled' is a built-in cache policy", SingleError(options));
    }

    [Theory]
    [InlineData("200", "/e.html", null, "is not an error status")]
    [InlineData("abc", "/e.html", null, "is not an error status")]
    [InlineData("404", "e.html", null, "ResponsePagePath:")]
    [InlineData("404", "/e.html", 99, "ResponseCode:")]
    [InlineData("404", null, 200, "needs a ResponsePagePath")]
    public void BadErrorResponse_NamesTheKey(string status, string? page, int? code, string expected)
    {
        var options = Valid();
        options.Distributions["E1"].ErrorResponses[status] = new ErrorResponseOptions { ResponsePagePath = page, ResponseCode = code };
        var error = SingleError(options);
        Assert.StartsWith($"Edge:Distributions:E1:ErrorResponses:{status}", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void HttpsEndpoint_NeedsACertificateThatLoads()
    {
        var options = Valid();
        options.Listen.Viewer = "http://127.0.0.1:8080;https://127.0.0.1:8443";
        Assert.StartsWith("Edge:Listen:Certificate:Path:", SingleError(options));

        options.Listen.Certificate.Path = "/nonexistent/edge.pfx";
        Assert.StartsWith("Edge:Listen:Certificate: '/nonexistent/edge.pfx' could not be read", SingleError(options));
    }

    [Fact]
    public void PfxWithItsPassword_Loads_AWrongPasswordIsNamed()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=edge", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var pfx = Path.Combine(Path.GetTempPath(), $"edge-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(pfx, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "secret"));
        try
        {
            var options = Valid();
            options.Listen.Viewer = "https://127.0.0.1:8443";
            options.Listen.Certificate = new CertificateOptions { Path = pfx, Password = "secret" };
            Assert.Empty(EdgeOptionsValidator.Check(options));

            options.Listen.Certificate.Password = "wrong";
            Assert.StartsWith($"Edge:Listen:Certificate: '{pfx}' could not be read", SingleError(options));
        }
        finally
        {
            File.Delete(pfx);
        }
    }

    [Theory]
    [InlineData("redirect-to-https", "http://127.0.0.1:8080", "needs an https endpoint")]
    [InlineData("https-sometimes", "http://127.0.0.1:8080", "is not one of")]
    public void ViewerProtocolPolicy_IsCheckedAgainstTheEndpoints(string policy, string viewer, string expected)
    {
        var options = Valid();
        options.Listen.Viewer = viewer;
        options.Distributions["E1"].ViewerProtocolPolicy = policy;
        var error = SingleError(options);
        Assert.StartsWith("Edge:Distributions:E1:ViewerProtocolPolicy:", error);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080;ftp://127.0.0.1:21")]
    [InlineData("https://example.com:8443")]
    [InlineData(";")]
    public void BadListenUrl_NamesTheKey(string viewer)
    {
        var options = Valid();
        options.Listen.Viewer = viewer;
        Assert.StartsWith("Edge:Listen:Viewer:", SingleError(options));
    }

    [Theory]
    [InlineData(",", true)]
    [InlineData(" ", true)]
    [InlineData("|", true)]
    [InlineData("", false)]
    [InlineData(",,", false)]
    [InlineData("x", false)]
    public void TagSeparator_IsOneOfTheKnownOnes(string separator, bool valid)
    {
        var options = Valid();
        options.Distributions["E1"].CacheTags.Separator = separator;
        if (valid)
        {
            Assert.Empty(EdgeOptionsValidator.Check(options));
        }
        else
        {
            Assert.StartsWith("Edge:Distributions:E1:CacheTags:Separator:", SingleError(options));
        }
    }
}

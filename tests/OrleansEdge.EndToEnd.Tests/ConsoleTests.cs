using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OrleansEdge.Tests.Shared;

namespace OrleansEdge.EndToEnd.Tests;

/// <summary>
/// The console (SPEC §8) in a real browser: Playwright driving Debian's Chromium (installed by the test command; no
/// browser is downloaded) through CloudFront's invalidation-by-tag steps against a real gateway, plus the attacks a
/// console must turn away. Screenshots of each page go to <c>console-screenshots/</c> in the test output folder.
/// </summary>
public sealed class ConsoleTests : IAsyncLifetime
{
    private const string AccessKeyId = "AKIACONSOLE0000000001";
    private const string Secret = "console-secret-of-the-test";

    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "console-screenshots");

    private readonly int _viewer = FreePort.Next();
    private readonly int _control = FreePort.Next();
    private TestOrigin _origin = null!;
    private EdgeProcess _gateway = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    private string Console => $"http://127.0.0.1:{_control}/console";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Screenshots);
        _origin = await TestOrigin.StartAsync();
        _gateway = StartGateway(_viewer, _control, _origin.BaseUrl);
        _playwright = await Playwright.CreateAsync();
        _browser = await LaunchAsync(_playwright);
        await _gateway.WaitReadyAsync($"http://127.0.0.1:{_control}/readyz");
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _gateway.DisposeAsync();
        await _origin.DisposeAsync();
    }

    private static EdgeProcess StartGateway(int viewer, int control, string origin, params string[] extra) => EdgeProcess.Start("Gateway",
    [
        $"--Edge:Listen:Viewer=http://127.0.0.1:{viewer}",
        $"--Edge:Listen:Control=http://127.0.0.1:{control}",
        $"--Edge:Cluster:SiloPort={FreePort.Next()}",
        $"--Edge:Cluster:GatewayPort={FreePort.Next()}",
        $"--Edge:Credentials:0:AccessKeyId={AccessKeyId}",
        $"--Edge:Credentials:0:SecretAccessKey={Secret}",
        "--Edge:PurgeToken=console-purge-token",
        $"--Edge:Distributions:E1CONSOLE:Origin={origin}",
        "--Edge:Distributions:E1CONSOLE:Domains:0=console.test",

        // Off in the file: the walk-through turns them on in the console, as the announcement does.
        "--Edge:Distributions:E1CONSOLE:CacheTags:Enabled=false",
        "--Edge:Distributions:E1CONSOLE:Tenants:shop1:Domains:0=shop1.test",
        .. extra,
    ]);

    /// <summary>Debian's Chromium, which the test command installs: Playwright downloads nothing here.</summary>
    private static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Environment.GetEnvironmentVariable("ORLEANSEDGE_TEST_CHROMIUM") ?? "/usr/bin/chromium",
        Headless = true,

        // As root (CI containers), Chromium's sandbox cannot start.
        Args = ["--no-sandbox"],
    });

    private static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    private async Task SignInAsync(IPage page, string secret = Secret)
    {
        await page.GetByLabel("Access key ID").FillAsync(AccessKeyId);
        await page.GetByLabel("Secret access key").FillAsync(secret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    private async Task<string> ViewerAsync(string target)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_viewer}{target}") { Headers = { Host = "console.test" } };
        using var response = await http.SendAsync(request);
        return response.Headers.GetValues("X-Cache").Single();
    }

    [Fact]
    public async Task InvalidationByTags_TheAnnouncementsConsoleSteps()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new() { Width = 1280, Height = 900 } });
        await page.GotoAsync(Console);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/signin"));
        await ShotAsync(page, "01-sign-in");

        // A wrong secret: refused, and said so.
        await SignInAsync(page, "not-the-secret");
        await Assertions.Expect(page.Locator("#signin-error")).ToBeVisibleAsync();
        await ShotAsync(page, "02-wrong-secret");

        await SignInAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Distributions" })).ToBeVisibleAsync();
        await ShotAsync(page, "03-distributions");

        await page.GetByRole(AriaRole.Link, new() { Name = "E1CONSOLE" }).ClickAsync();
        await Assertions.Expect(page.Locator("#tags-enabled")).ToHaveTextAsync("Off");

        // Edit settings: tags on, under a header of the shop's own; a bad header name is refused inline first.
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit settings" }).ClickAsync();
        await page.GetByLabel("Use cache tags for cache invalidation").CheckAsync();
        await page.GetByLabel("Header to use for cache tags").FillAsync("bad header");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Assertions.Expect(page.Locator("#settings-errors")).ToContainTextAsync("not a valid HTTP header name");
        await page.GetByLabel("Header to use for cache tags").FillAsync("x-shop-tags");
        await ShotAsync(page, "04-edit-settings");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Assertions.Expect(page.Locator("#tags-enabled")).ToHaveTextAsync("On");
        await Assertions.Expect(page.Locator("#tags-header")).ToHaveTextAsync("x-shop-tags");
        await Assertions.Expect(page.Locator("#tags-source")).ToContainTextAsync("Override");
        await ShotAsync(page, "05-distribution");

        // The origin tags its responses under that header; viewers are served from the cache.
        var tagA = $"product:{Guid.NewGuid():N}";
        var tagB = $"category:{Guid.NewGuid():N}";
        var first = $"/products/a-{Guid.NewGuid():N}?tagHeader=x-shop-tags&tags={tagA}";
        var second = $"/products/b-{Guid.NewGuid():N}?tagHeader=x-shop-tags&tags={tagB},other";
        foreach (var target in new[] { first, second })
        {
            Assert.Equal("Miss from orleansedge", await ViewerAsync(target));
            Assert.Equal("Hit from orleansedge", await ViewerAsync(target));
        }

        await page.GetByRole(AriaRole.Link, new() { Name = "Invalidations", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Create invalidation" }).ClickAsync();

        // Inline errors from the API's own rules: nothing is created.
        await page.GetByLabel("By paths").CheckAsync();
        await page.GetByLabel("One per line").FillAsync("no-leading-slash");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create invalidation" }).ClickAsync();
        await Assertions.Expect(page.Locator("#create-errors")).ToContainTextAsync("Line 1");
        await ShotAsync(page, "06-create-error");

        await page.GetByLabel("By cache tags").CheckAsync();
        await page.GetByLabel("One per line").FillAsync($"{tagA}\n{tagB}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create invalidation" }).ClickAsync();
        await Assertions.Expect(page.Locator("#tags")).ToContainTextAsync(tagA);
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("Completed", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#objects")).ToHaveTextAsync("2");
        await ShotAsync(page, "07-completed");
        var invalidationId = (await page.Locator("h1").InnerTextAsync()).Split(' ').Last();

        // Completed means no viewer is served the old copies.
        Assert.Equal("Miss from orleansedge", await ViewerAsync(first));
        Assert.Equal("Miss from orleansedge", await ViewerAsync(second));

        // The distribution's live charts: this gateway's hit rate and the cluster's propagation, in a frame of their own.
        await page.GotoAsync($"{Console}/distributions/E1CONSOLE");
        var charts = page.FrameLocator("iframe.charts-frame");
        await Assertions.Expect(charts.Locator("figure[data-kind=hit-rate] svg").First).ToHaveAttributeAsync("aria-label", new Regex("% most recently"));
        await Assertions.Expect(charts.Locator("figure[data-kind=propagation] svg").First).ToHaveAttributeAsync("aria-label", new Regex("ms most recently"));
        await ShotAsync(page, "08-monitoring");
        await page.GoBackAsync();

        // It is the API's invalidation too: the AWS CLI lists it.
        var cli = await new AwsCli($"http://127.0.0.1:{_control}", AccessKeyId, Secret)
            .RunAsync("cloudfront", "list-invalidations", "--distribution-id", "E1CONSOLE");
        Assert.Equal(0, cli.ExitCode);
        Assert.Contains(invalidationId, cli.Output);

        await page.GetByRole(AriaRole.Link, new() { Name = "Copy to new" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("One per line")).ToHaveValueAsync($"{tagA}\n{tagB}");
        await Assertions.Expect(page.GetByLabel("By cache tags")).ToBeCheckedAsync();
        await ShotAsync(page, "09-copy-to-new");

        await page.GotoAsync($"{Console}/distributions/E1CONSOLE/invalidations");
        var row = page.Locator("tr", new() { HasText = invalidationId });
        await Assertions.Expect(row).ToContainTextAsync("Completed");
        await ShotAsync(page, "10-invalidations");

        // A phone-sized screen reads the same pages.
        await page.SetViewportSizeAsync(390, 844);
        await page.ReloadAsync();
        await ShotAsync(page, "11-invalidations-phone");

        // The way back: the configuration file's settings again.
        await page.SetViewportSizeAsync(1280, 900);
        await page.GotoAsync($"{Console}/distributions/E1CONSOLE/settings");
        await page.GetByRole(AriaRole.Button, new() { Name = "Use the configuration file's settings" }).ClickAsync();
        await Assertions.Expect(page.Locator("#tags-enabled")).ToHaveTextAsync("Off");
        await Assertions.Expect(page.Locator("#tags-source")).ToHaveTextAsync("the configuration file");
    }

    [Fact]
    public async Task InvalidationMadeThroughTheApi_AppearsInTheConsoleOfItsTenant()
    {
        using var http = new HttpClient();
        using var purge = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{_control}/purge/E1CONSOLE/shop1")
        {
            Content = new StringContent($"{{\"paths\":[\"/from-api-{Guid.NewGuid():N}\"]}}"),
            Headers = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "console-purge-token") },
        };
        using var answer = await http.SendAsync(purge);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var id = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;

        var page = await _browser.NewPageAsync();
        await page.GotoAsync($"{Console}/distributions/E1CONSOLE/invalidations?tenant=shop1");
        await SignInAsync(page);
        await Assertions.Expect(page.Locator("tr", new() { HasText = id })).ToContainTextAsync("Completed");

        // The distribution's own list is another scope: the tenant's invalidation is not in it.
        await page.GotoAsync($"{Console}/distributions/E1CONSOLE/invalidations");
        await Assertions.Expect(page.Locator("tr", new() { HasText = id })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task ForgedOrUnauthenticatedPosts_ChangeNothing()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() };
        using var http = new HttpClient(handler);
        var form = (string csrf) => new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_csrf"] = csrf, ["kind"] = "paths", ["items"] = "/forged",
        });

        // Not signed in: sent to sign in, nothing created.
        using (var anonymous = await http.PostAsync($"{Console}/distributions/E1CONSOLE/invalidations", form("")))
        {
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
            Assert.Contains("/console/signin", anonymous.Headers.Location!.ToString());
        }

        // Signed in, through the form as a browser would.
        var signInPage = await http.GetStringAsync($"{Console}/signin");
        var signInToken = Regex.Match(signInPage, "name=\"_csrf\" value=\"([^\"]+)\"").Groups[1].Value;
        using (var signIn = await http.PostAsync($"{Console}/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_csrf"] = signInToken, ["accessKeyId"] = AccessKeyId, ["secret"] = Secret, ["return"] = "/console/distributions",
        })))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }

        var newPage = await http.GetStringAsync($"{Console}/distributions/E1CONSOLE/invalidations/new");
        var token = Regex.Match(newPage, "name=\"_csrf\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEqual("", token);

        // Without the token, with another session's token, or from another site: 403.
        using (var noToken = await http.PostAsync($"{Console}/distributions/E1CONSOLE/invalidations", form("")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, noToken.StatusCode);
        }

        using (var wrongToken = await http.PostAsync($"{Console}/distributions/E1CONSOLE/invalidations", form(signInToken)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, wrongToken.StatusCode);
        }

        using (var crossSite = new HttpRequestMessage(HttpMethod.Post, $"{Console}/distributions/E1CONSOLE/invalidations") { Content = form(token) })
        {
            crossSite.Headers.Add("Origin", "http://evil.example");
            using var answer = await http.SendAsync(crossSite);
            Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        }

        var list = await http.GetStringAsync($"{Console}/distributions/E1CONSOLE/invalidations");
        Assert.DoesNotContain("/forged", list);

        // The session cookie is HttpOnly and SameSite=Strict.
        using var again = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }).GetAsync($"{Console}/signin");
        var cookie = again.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ExpiredSession_AsksToSignInAgain()
    {
        var viewer = FreePort.Next();
        var control = FreePort.Next();
        await using var gateway = StartGateway(viewer, control, _origin.BaseUrl, "--Edge:Console:SessionLifetime=00:00:03");
        await gateway.WaitReadyAsync($"http://127.0.0.1:{control}/readyz");

        var page = await _browser.NewPageAsync();
        await page.GotoAsync($"http://127.0.0.1:{control}/console/distributions");
        await SignInAsync(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Distributions" })).ToBeVisibleAsync();

        await Task.Delay(TimeSpan.FromSeconds(4));
        await page.ReloadAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/signin"));
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("expired");
        await ShotAsync(page, "12-session-expired");
    }
}

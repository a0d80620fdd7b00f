using System.Text;
using OrleansEdge.Grains.Interfaces.Retries;
using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Gateway.ControlPlane;
using OrleansEdge.Gateway.Routing;
using OrleansEdge.Grains.Interfaces.Invalidations;
using OrleansEdge.Grains.Interfaces.Settings;
using static OrleansEdge.Gateway.Console.ConsoleHtml;

namespace OrleansEdge.Gateway.Console;

/// <summary>
/// The web console on the control plane (SPEC §8): CloudFront's invalidation workflow for operators away from a
/// terminal. Every page goes through <see cref="Gate"/> (sign-in, session) and every form through
/// <see cref="CheckPost"/> (CSRF token, same-origin post); invalidations go through the same
/// <see cref="InvalidationService"/> and item rules as the API, so the two show the same list.
/// </summary>
internal static partial class ConsoleEndpoints
{
    private const int PageSize = 25;

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder endpoints)
    {
        var console = endpoints.MapGroup("/console").AddEndpointFilter(static async (context, next) =>
        {
            // Pages about one operator's session: never cached, never framed, nothing loaded from elsewhere.
            var headers = context.HttpContext.Response.Headers;
            headers.CacheControl = "no-store";
            // Framed only by the console itself (the charts refresh in their own frame, without script).
            headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'";
            headers.XFrameOptions = "SAMEORIGIN";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            return await next(context);
        });
        console.MapGet("", static () => Results.Redirect("/console/distributions"));
        console.MapGet("/signin", SignInPage);
        console.MapPost("/signin", SignIn);
        console.MapPost("/signout", SignOut);
        console.MapGet("/distributions", Distributions);
        console.MapGet("/distributions/{id}", DistributionPage);
        console.MapGet("/distributions/{id}/charts", ChartsFrame);
        console.MapGet("/distributions/{id}/settings", SettingsPage);
        console.MapPost("/distributions/{id}/settings", SaveSettings);
        console.MapGet("/distributions/{id}/invalidations", Invalidations);
        console.MapGet("/distributions/{id}/invalidations/new", NewInvalidation);
        console.MapPost("/distributions/{id}/invalidations", CreateInvalidation);
        console.MapGet("/distributions/{id}/invalidations/{invalidationId}", InvalidationDetails);
        return endpoints;
    }

    /// <summary>What a page may show: the session, or the answer that replaces the page (sign-in first).</summary>
    private readonly record struct Visitor(ConsoleSession? Session, string Csrf, IResult? Instead);

    private static Visitor Gate(HttpContext context, ConsoleSessions sessions, EdgeOptions options)
    {
        var session = sessions.Read(context, options.Console.SessionLifetime);
        if (!ConsoleSessions.RequiresSignIn(options))
        {
            // Open only where the API is: no credentials and, as the validator ensures then, a loopback control plane.
            session ??= sessions.Start(context, ConsoleSessions.LocalPrincipal);
            return new Visitor(session, sessions.CsrfToken(session), null);
        }

        if (session is not { Principal.Length: > 0 })
        {
            var expired = context.Request.Cookies.ContainsKey(ConsoleSessions.CookieName) && session is null;
            var back = Uri.EscapeDataString(context.Request.Path + context.Request.QueryString);
            return new Visitor(null, "", Results.Redirect($"/console/signin?return={back}{(expired ? "&expired=1" : "")}"));
        }

        return new Visitor(session, sessions.CsrfToken(session), null);
    }

    /// <summary>
    /// A post is taken only with its page's CSRF token and, when the browser says where it comes from, from this
    /// console's own origin: a forged form on another site gets 403 and changes nothing.
    /// </summary>
    private static IResult? CheckPost(HttpContext context, ConsoleSessions sessions, ConsoleSession? session, IFormCollection form)
    {
        var origin = context.Request.Headers.Origin.ToString();
        var sameOrigin = origin.Length == 0 || origin == "null"
            ? context.Request.Headers["Sec-Fetch-Site"].ToString() is "" or "same-origin" or "none"
            : Uri.TryCreate(origin, UriKind.Absolute, out var from)
              && string.Equals(from.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase);
        if (session is not null && sameOrigin && sessions.IsCsrfValid(session, form[ConsoleSessions.CsrfField]))
        {
            return null;
        }

        var body = "<h1>Request refused</h1><p class=\"error\">This form was not sent by this console's own page (its CSRF token is missing or wrong, or it came from another site). Nothing was changed.</p><p><a href=\"/console/distributions\">Back to the console</a></p>";
        return Html(Page("Request refused", body, null, null), StatusCodes.Status403Forbidden);
    }

    private static IResult Html(string html, int status = StatusCodes.Status200OK) =>
        Results.Text(html, "text/html; charset=utf-8", Encoding.UTF8, status);

    private static IResult SignInPage(HttpContext context, ConsoleSessions sessions, RouteTableProvider routes, string? @return, string? expired)
    {
        var options = routes.Current.Options;
        if (!ConsoleSessions.RequiresSignIn(options))
        {
            return Results.Redirect("/console/distributions");
        }

        // Even the sign-in form carries a CSRF token: a visitor's session starts here, signed in or not.
        var session = sessions.Read(context, options.Console.SessionLifetime) is { Principal.Length: 0 } anonymous ? anonymous : sessions.Start(context, "");
        return Html(SignInForm(sessions.CsrfToken(session), Safe(@return), expired == "1" ? "Your session has expired. Sign in again." : null, ""));
    }

    private static string SignInForm(string csrf, string back, string? message, string accessKeyId, bool wrong = false)
    {
        var body = new StringBuilder("<h1>Sign in</h1>");
        if (message is not null)
        {
            body.Append("<p class=\"note\" role=\"status\">").Append(E(message)).Append("</p>");
        }

        if (wrong)
        {
            body.Append("<p class=\"error\" role=\"alert\" id=\"signin-error\">The access key ID and secret (or the purge token) are not right.</p>");
        }

        body.Append("<form method=\"post\" action=\"/console/signin\" class=\"card\">").Append(Csrf(csrf))
            .Append("<input type=\"hidden\" name=\"return\" value=\"").Append(E(back)).Append("\">")
            .Append("<label for=\"accessKeyId\">Access key ID</label>")
            .Append("<input type=\"text\" id=\"accessKeyId\" name=\"accessKeyId\" autocomplete=\"username\" value=\"").Append(E(accessKeyId)).Append("\">")
            .Append("<label for=\"secret\">Secret access key</label>")
            .Append("<input type=\"password\" id=\"secret\" name=\"secret\" autocomplete=\"current-password\" required>")
            .Append("<p class=\"note\">An access key of <code>Edge:Credentials</code>, or the purge token with no access key ID.</p>")
            .Append("<button type=\"submit\">Sign in</button></form>");
        return Page("Sign in", body.ToString(), null, null);
    }

    /// <summary>A wrong secret costs this long before the form comes back: guessing one from a script stays slow.</summary>
    private static readonly TimeSpan FailedSignInDelay = TimeSpan.FromMilliseconds(500);

    private static async Task<IResult> SignIn(HttpContext context, ConsoleSessions sessions, RouteTableProvider routes, TimeProvider time, ILogger<ConsoleSessions> logger)
    {
        var options = routes.Current.Options;
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var pending = sessions.Read(context, options.Console.SessionLifetime);
        if (CheckPost(context, sessions, pending, form) is { } refused)
        {
            return refused;
        }

        var accessKeyId = form["accessKeyId"].ToString();
        if (ConsoleSessions.Verify(options, accessKeyId, form["secret"].ToString()) is not { } principal)
        {
            LogSignInFailed(logger, InvalidationItemParser.Printable(accessKeyId.Length > 64 ? accessKeyId[..64] : accessKeyId),
                context.Connection.RemoteIpAddress?.ToString() ?? "?");
            await Task.Delay(FailedSignInDelay, time, context.RequestAborted);
            return Html(SignInForm(sessions.CsrfToken(pending!), Safe(form["return"]), null, accessKeyId, wrong: true), StatusCodes.Status401Unauthorized);
        }

        // A new session id at sign-in: whatever id a visitor was given before cannot be made to sign in as someone.
        sessions.Start(context, principal);
        return Results.Redirect(Safe(form["return"]));
    }

    private static async Task<IResult> SignOut(HttpContext context, ConsoleSessions sessions, RouteTableProvider routes)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (CheckPost(context, sessions, sessions.Read(context, routes.Current.Options.Console.SessionLifetime), form) is { } refused)
        {
            return refused;
        }

        ConsoleSessions.End(context);
        return Results.Redirect("/console/signin");
    }

    /// <summary>Only a path of the console is a place to return to after signing in.</summary>
    private static string Safe(string? back) =>
        back is { Length: > 1 } && back.StartsWith("/console", StringComparison.Ordinal) && !back.StartsWith("//", StringComparison.Ordinal) && !back.Contains('\\')
            ? back
            : "/console/distributions";

    private static IResult Distributions(HttpContext context, ConsoleSessions sessions, RouteTableProvider routes)
    {
        var options = routes.Current.Options;
        var visitor = Gate(context, sessions, options);
        if (visitor.Instead is { } instead)
        {
            return instead;
        }

        var rows = options.Distributions.OrderBy(static d => d.Key, StringComparer.Ordinal).Select(pair =>
        {
            var (id, distribution) = pair;
            var served = routes.Current.FindDistribution(id);
            return new[]
            {
                $"<a href=\"/console/distributions/{U(id)}\">{E(id)}</a>",
                E(string.Join(", ", distribution.Domains)),
                E(string.Join(", ", distribution.Tenants.Keys)),
                E(distribution.Origin),
                served?.TagHeader is { } header ? $"On, <code>{E(header)}</code>" : "Off",
            };
        });
        var body = "<h1>Distributions</h1>" + Table("Distributions this gateway serves", ["ID", "Domains", "Tenants", "Origin", "Cache tags"], rows);
        return Html(Page("Distributions", body, visitor.Session, visitor.Csrf));
    }

    private static IResult DistributionPage(HttpContext context, ConsoleSessions sessions, RouteTableProvider routes, string id)
    {
        var options = routes.Current.Options;
        var visitor = Gate(context, sessions, options);
        if (visitor.Instead is { } instead)
        {
            return instead;
        }

        if (Find(routes, id) is not ({ } distribution, { } settings))
        {
            return NotFound(visitor, $"No distribution is called {id}.");
        }

        var body = new StringBuilder("<h1>").Append(E(distribution.Id)).Append("</h1>")
            .Append(Tabs(distribution.Id, settings, tenant: null))
            .Append("<h2>General</h2><dl>")
            .Append("<dt>Domains</dt><dd>").Append(E(string.Join(", ", settings.Domains))).Append("</dd>")
            .Append("<dt>Origin</dt><dd>").Append(E(settings.Origin)).Append("</dd>")
            .Append("<dt>Viewer protocol policy</dt><dd>").Append(E(settings.ViewerProtocolPolicy)).Append("</dd>")
            .Append("<dt>Default cache policy</dt><dd>").Append(E(settings.CachePolicy)).Append("</dd>")
            .Append("</dl><h2>Monitoring</h2>")
            .Append($"<iframe class=\"charts-frame\" title=\"Hit rate and P95 propagation of {E(distribution.Id)}\" src=\"/console/distributions/{U(distribution.Id)}/charts\"></iframe>")
            .Append("<h2>Cache tags</h2>").Append(TagSettings(routes.Current, distribution, settings))
            .Append($"<p><a class=\"button\" href=\"/console/distributions/{U(distribution.Id)}/settings\">Edit settings</a></p>")
            .Append("<h2>Behaviors</h2>")
            .Append(Table("Path patterns, first match wins", ["Path pattern", "Cache policy"],
                settings.Behaviors.Select(static b => new[] { $"<code>{E(b.PathPattern)}</code>", E(b.CachePolicy) })
                    .Append(["<code>Default (*)</code>", E(settings.CachePolicy)])))
            .Append("<h2>Tenants</h2>")
            .Append(Table("Distribution tenants", ["Tenant", "Domains", "Invalidations"],
                settings.Tenants.OrderBy(static t => t.Key, StringComparer.Ordinal).Select(t => new[]
                {
                    E(t.Key), E(string.Join(", ", t.Value.Domains)),
                    $"<a href=\"/console/distributions/{U(distribution.Id)}/invalidations?tenant={U(t.Key)}\">Invalidations of {E(t.Key)}</a>",
                })));
        return Html(Page(distribution.Id, body.ToString(), visitor.Session, visitor.Csrf));
    }

    /// <summary>The charts, in a frame of their own that redraws itself every 10 seconds: live, without script.</summary>
    private static async Task<IResult> ChartsFrame(HttpContext context, ConsoleSessions sessions, RouteTableProvider routes, ConsoleCharts charts, string id)
    {
        if (Enter(context, sessions, routes, id, null, out _, out var distribution, out _, out _) is { } instead)
        {
            return instead;
        }

        var html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"10\">"
            + "<title>Charts</title><style>" + ChartStyle + "</style></head><body>" + await charts.RenderAsync(distribution.Id) + "</body></html>";
        return Html(html);
    }

    private const string ChartStyle = """
        :root{color-scheme:light dark}body{margin:0;font:13px/1.4 system-ui,sans-serif;background:transparent}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:.6rem}
        .chart{margin:0;padding:.4rem;border-radius:.4rem;background:rgba(127,127,127,.1)}.chart h3{font-size:.85rem;margin:.1rem 0 .3rem}.chart svg{width:100%;height:auto}
        """;

    /// <summary>The cache-tag settings in force, and where they come from: the configuration file or the console's override.</summary>
    private static string TagSettings(RouteTable table, Distribution distribution, DistributionOptions configured)
    {
        var html = new StringBuilder("<dl>")
            .Append("<dt>Use cache tags for cache invalidation</dt><dd id=\"tags-enabled\">").Append(distribution.TagHeader is null ? "Off" : "On").Append("</dd>")
            .Append("<dt>Header to use for cache tags</dt><dd id=\"tags-header\"><code>")
            .Append(E(table.Overrides.CacheTags.TryGetValue(distribution.Id, out var own) ? own.Header : configured.CacheTags.Header)).Append("</code></dd>")
            .Append("<dt>Separator</dt><dd><code>").Append(configured.CacheTags.Separator == " " ? "(space)" : E(configured.CacheTags.Separator)).Append("</code></dd>")
            .Append("<dt>Remove the header from viewer responses</dt><dd>").Append(configured.CacheTags.StripFromResponse ? "Yes" : "No").Append("</dd>")
            .Append("<dt>Set by</dt><dd id=\"tags-source\">");
        if (own is null)
        {
            html.Append("the configuration file");
        }
        else
        {
            html.Append("<span class=\"badge\">Override</span> ").Append(E(own.ChangedBy)).Append(", ").Append(E(Date(own.Changed)))
                .Append(". The configuration file says: ").Append(configured.CacheTags.Enabled ? "on" : "off")
                .Append(", <code>").Append(E(configured.CacheTags.Header)).Append("</code>.");
        }

        return html.Append("</dd></dl>").ToString();
    }

    private static IResult SettingsPage(HttpContext context, ConsoleSessions sessions, RouteTableProvider routes, string id)
    {
        if (Enter(context, sessions, routes, id, null, out var visitor, out var distribution, out var settings, out _) is { } instead)
        {
            return instead;
        }

        var own = routes.Current.Overrides.CacheTags.GetValueOrDefault(distribution.Id);
        return Html(Page("Edit settings", SettingsForm(routes.Current, distribution, settings, visitor.Csrf,
            own?.Enabled ?? settings.CacheTags.Enabled, own?.Header ?? settings.CacheTags.Header, null), visitor.Session, visitor.Csrf));
    }

    private static string SettingsForm(RouteTable table, Distribution distribution, DistributionOptions settings, string csrf, bool enabled, string header, string? error)
    {
        var body = new StringBuilder("<h1>Edit settings of ").Append(E(distribution.Id)).Append("</h1>")
            .Append(Tabs(distribution.Id, settings, null))
            .Append("<h2>In force</h2>").Append(TagSettings(table, distribution, settings));
        if (error is not null)
        {
            body.Append("<div class=\"errors\" role=\"alert\" id=\"settings-errors\"><p class=\"error\">").Append(E(error)).Append("</p></div>");
        }

        body.Append($"<form method=\"post\" action=\"/console/distributions/{U(distribution.Id)}/settings\" class=\"card\">").Append(Csrf(csrf))
            .Append("<label class=\"choice\"><input type=\"checkbox\" name=\"enabled\" id=\"enabled\" value=\"true\"").Append(enabled ? " checked" : "")
            .Append("> Use cache tags for cache invalidation</label>")
            .Append("<label for=\"header\">Header to use for cache tags</label>")
            .Append("<input type=\"text\" id=\"header\" name=\"header\" spellcheck=\"false\" value=\"").Append(E(header)).Append("\">")
            .Append("<p class=\"note\">The response header your origin lists each object's tags in, such as <code>x-amz-meta-cache-tag</code> or <code>Surrogate-Key</code>. ")
            .Append("Objects tagged under another header are no longer reached by tag after a change; invalidate them by path. Applied on every gateway within a second.</p>")
            .Append("<button type=\"submit\" name=\"action\" value=\"save\">Save changes</button>");
        if (table.Overrides.CacheTags.ContainsKey(distribution.Id))
        {
            body.Append(" <button type=\"submit\" name=\"action\" value=\"reset\" class=\"secondary\">Use the configuration file's settings</button>");
        }

        return body.Append("</form>").ToString();
    }

    private static async Task<IResult> SaveSettings(HttpContext context, ConsoleSessions sessions, RouteTableProvider routes, IGrainFactory grains, TimeProvider time, string id)
    {
        if (Enter(context, sessions, routes, id, null, out var visitor, out var distribution, out var settings, out _) is { } instead)
        {
            return instead;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (CheckPost(context, sessions, visitor.Session, form) is { } refused)
        {
            return refused;
        }

        var enabled = form["enabled"] == "true";
        var header = form["header"].ToString().Trim();
        CacheTagOverride? value = null;
        if (form["action"] != "reset")
        {
            // The same rule as the configuration's (SPEC §4): a valid RFC 7230 token under 256 characters.
            if (!Grains.Interfaces.Tags.CacheTagRules.IsValidHeaderName(header))
            {
                return Html(Page("Edit settings", SettingsForm(routes.Current, distribution, settings, visitor.Csrf, enabled, header,
                    $"'{header}' is not a valid HTTP header name: 1 to 255 characters, letters, digits and !#$%&'*+-.^_`|~ only."), visitor.Session, visitor.Csrf),
                    StatusCodes.Status400BadRequest);
            }

            value = new CacheTagOverride(enabled, header, time.GetUtcNow(), visitor.Session!.Principal);
        }

        SettingsOverrides saved;
        try
        {
            saved = await grains.GetGrain<IDistributionSettingsGrain>(IDistributionSettingsGrain.Key).SetCacheTagsAsync(distribution.Id, value);
        }
        catch (Exception exception) when (ClusterFailures.IsClusterFailure(exception))
        {
            return Html(Page("Edit settings", SettingsForm(routes.Current, distribution, settings, visitor.Csrf, enabled, header,
                "The cluster could not save the settings just now (a silo or its storage is unavailable); save them again."), visitor.Session, visitor.Csrf),
                StatusCodes.Status503ServiceUnavailable);
        }

        // This gateway at once; the others within a second (ConsoleSettingsWatcher).
        routes.Apply(saved);
        return Results.Redirect($"/console/distributions/{U(distribution.Id)}");
    }

    private static string Tabs(string id, DistributionOptions settings, string? tenant)
    {
        var tabs = new StringBuilder("<nav class=\"tabs\" aria-label=\"Distribution\">")
            .Append($"<a href=\"/console/distributions/{U(id)}\">General</a>")
            .Append($"<a href=\"/console/distributions/{U(id)}/invalidations\">Invalidations</a>");
        foreach (var each in settings.Tenants.Keys.Order(StringComparer.Ordinal))
        {
            tabs.Append($"<a href=\"/console/distributions/{U(id)}/invalidations?tenant={U(each)}\"{(each == tenant ? " aria-current=\"page\"" : "")}>Invalidations: {E(each)}</a>");
        }

        return tabs.Append("</nav>").ToString();
    }

    private static async Task<IResult> Invalidations(
        HttpContext context, ConsoleSessions sessions, RouteTableProvider routes, InvalidationService service, string id, string? tenant, string? marker)
    {
        if (Enter(context, sessions, routes, id, tenant, out var visitor, out var distribution, out var settings, out var scope) is { } instead)
        {
            return instead;
        }

        var page = await service.ListAsync(distribution, scope, marker, PageSize);
        var records = await Task.WhenAll(page.Items.Select(item => service.GetAsync(distribution, scope, item.Id)));
        var query = scope.Length > 0 ? $"?tenant={U(scope)}" : "";
        var rows = page.Items.Zip(records).Select(pair => new[]
        {
            $"<a href=\"/console/distributions/{U(distribution.Id)}/invalidations/{U(pair.First.Id)}{query}\">{E(pair.First.Id)}</a>",
            Status(pair.First.Status),
            E(Date(pair.First.Created)),
            E(Summary(pair.Second?.Paths ?? [])),
        });
        var title = scope.Length > 0 ? $"Invalidations of {distribution.Id}, tenant {scope}" : $"Invalidations of {distribution.Id}";
        var body = new StringBuilder("<h1>").Append(E(title)).Append("</h1>")
            .Append(Tabs(distribution.Id, settings, scope))
            .Append($"<p><a class=\"button\" href=\"/console/distributions/{U(distribution.Id)}/invalidations/new{query}\">Create invalidation</a></p>")
            .Append(Table("Newest first", ["Invalidation ID", "Status", "Date created", "Items"], rows));
        if (page.IsTruncated && page.NextMarker is { } next)
        {
            body.Append($"<p><a href=\"/console/distributions/{U(distribution.Id)}/invalidations?marker={U(next)}{(scope.Length > 0 ? $"&tenant={U(scope)}" : "")}\">Older invalidations</a></p>");
        }

        return Html(Page(title, body.ToString(), visitor.Session, visitor.Csrf));
    }

    private static string Summary(string[] items) =>
        items.Length <= 3 ? string.Join(", ", items) : $"{string.Join(", ", items.Take(3))} and {items.Length - 3} more";

    private static async Task<IResult> NewInvalidation(
        HttpContext context, ConsoleSessions sessions, RouteTableProvider routes, InvalidationService service, string id, string? tenant, string? copy)
    {
        if (Enter(context, sessions, routes, id, tenant, out var visitor, out var distribution, out var settings, out var scope) is { } instead)
        {
            return instead;
        }

        // Copy to new: the same items, as tags when they all are, else as paths (a '#tag' line is a tag there too).
        var byTags = true;
        var lines = "";
        if (copy is not null && await service.GetAsync(distribution, scope, copy) is { } original)
        {
            byTags = original.Paths.All(static p => p.StartsWith('#'));
            lines = string.Join('\n', byTags ? original.Paths.Select(static p => p[1..]) : original.Paths);
        }

        return Html(Page("Create invalidation", CreateForm(distribution.Id, settings, scope, visitor.Csrf, byTags, lines, []), visitor.Session, visitor.Csrf));
    }

    private static string CreateForm(string id, DistributionOptions settings, string tenant, string csrf, bool byTags, string lines, IReadOnlyList<string> errors)
    {
        var body = new StringBuilder("<h1>Create invalidation</h1>").Append(Tabs(id, settings, tenant));
        if (errors.Count > 0)
        {
            body.Append("<div class=\"errors\" role=\"alert\" id=\"create-errors\"><p class=\"error\">Nothing was invalidated:</p><ul>");
            foreach (var error in errors)
            {
                body.Append("<li>").Append(E(error)).Append("</li>");
            }

            body.Append("</ul></div>");
        }

        var query = tenant.Length > 0 ? $"?tenant={U(tenant)}" : "";
        body.Append($"<form method=\"post\" action=\"/console/distributions/{U(id)}/invalidations{query}\" class=\"card\">").Append(Csrf(csrf))
            .Append("<fieldset><legend>Invalidate</legend>")
            .Append($"<label class=\"choice\"><input type=\"radio\" name=\"kind\" value=\"tags\" id=\"kind-tags\"{(byTags ? " checked" : "")}> By cache tags</label>")
            .Append($"<label class=\"choice\"><input type=\"radio\" name=\"kind\" value=\"paths\" id=\"kind-paths\"{(byTags ? "" : " checked")}> By paths</label>")
            .Append("</fieldset><label for=\"items\">One per line</label>")
            .Append("<textarea id=\"items\" name=\"items\" spellcheck=\"false\" placeholder=\"product:456&#10;category:electronics\">").Append(E(lines)).Append("</textarea>")
            .Append("<p class=\"note\">Cache tags as the origin sends them (a leading # is accepted). Paths start with /, a * at the end invalidates every path that starts with what precedes it (/images/*).</p>")
            .Append("<button type=\"submit\">Create invalidation</button></form>");
        return body.ToString();
    }

    private static async Task<IResult> CreateInvalidation(
        HttpContext context, ConsoleSessions sessions, RouteTableProvider routes, InvalidationService service, string id, string? tenant)
    {
        var options = routes.Current.Options;

        // Signed out or expired: nothing is done, and the operator signs in again.
        if (Enter(context, sessions, routes, id, tenant, out var visitor, out var distribution, out var settings, out var scope) is { } instead)
        {
            return instead;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (CheckPost(context, sessions, visitor.Session, form) is { } refused)
        {
            return refused;
        }

        var byTags = form["kind"] != "paths";
        var text = form["items"].ToString();
        var (raw, items, errors) = ReadItems(text, byTags, options.Invalidation.MaxPathLength);
        if (errors.Count == 0 && service.BatchTooLarge(items) is { } tooLarge)
        {
            errors.Add(tooLarge);
        }

        if (errors.Count > 0)
        {
            return Html(Page("Create invalidation", CreateForm(distribution.Id, settings, scope, visitor.Csrf, byTags, text, errors), visitor.Session, visitor.Csrf),
                StatusCodes.Status400BadRequest);
        }

        InvalidationCreation creation;
        try
        {
            creation = await service.CreateAsync(distribution, scope, $"console-{Guid.NewGuid():N}", [.. raw], [.. items], soft: false);
        }
        catch (Exception exception) when (ClusterFailures.IsClusterFailure(exception))
        {
            return Html(Page("Create invalidation", CreateForm(distribution.Id, settings, scope, visitor.Csrf, byTags, text,
                ["The cluster could not record the invalidation just now (a silo or its storage is unavailable); send it again."]), visitor.Session, visitor.Csrf),
                StatusCodes.Status503ServiceUnavailable);
        }

        if (creation.Record is not { } record)
        {
            return Html(Page("Create invalidation", CreateForm(distribution.Id, settings, scope, visitor.Csrf, byTags, text,
                ["Too many invalidations are in progress for this distribution; send it again when some have completed."]), visitor.Session, visitor.Csrf),
                StatusCodes.Status429TooManyRequests);
        }

        return Results.Redirect($"/console/distributions/{U(distribution.Id)}/invalidations/{U(record.Id)}{(scope.Length > 0 ? $"?tenant={U(scope)}" : "")}");
    }

    /// <summary>The lines of the form as invalidation items, read by the API's own rules; each problem names its line.</summary>
    internal static (List<string> Raw, List<InvalidationItem> Items, List<string> Errors) ReadItems(string text, bool byTags, int maxLength)
    {
        var raw = new List<string>();
        var items = new List<InvalidationItem>();
        var errors = new List<string>();
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                continue;
            }

            var item = byTags ? InvalidationItemParser.TagItem(trimmed) : trimmed;
            if (InvalidationItemParser.TryParse(item, maxLength, out var parsed, out var error))
            {
                raw.Add(item);
                items.Add(parsed);
            }
            else
            {
                errors.Add($"Line {number}: {error}");
            }
        }

        if (raw.Count == 0 && errors.Count == 0)
        {
            errors.Add(byTags ? "Give at least one cache tag, one per line." : "Give at least one path, one per line.");
        }

        return (raw, items, errors);
    }

    private static async Task<IResult> InvalidationDetails(
        HttpContext context, ConsoleSessions sessions, RouteTableProvider routes, InvalidationService service, string id, string invalidationId, string? tenant)
    {
        if (Enter(context, sessions, routes, id, tenant, out var visitor, out var distribution, out var settings, out var scope) is { } instead)
        {
            return instead;
        }

        if (await service.GetAsync(distribution, scope, invalidationId) is not { } record)
        {
            return NotFound(visitor, $"No invalidation {invalidationId} of {id} {tenant}.");
        }

        var query = scope.Length > 0 ? $"?tenant={U(scope)}" : "";
        var tags = record.Paths.Where(static p => p.StartsWith('#')).Select(static p => p[1..]).ToArray();
        var paths = record.Paths.Where(static p => !p.StartsWith('#')).ToArray();
        var body = new StringBuilder("<h1>Invalidation ").Append(E(record.Id)).Append("</h1>")
            .Append(Tabs(distribution.Id, settings, scope))
            .Append("<section class=\"card\" aria-live=\"polite\"><h2>Details</h2><dl>")
            .Append("<dt>Invalidation ID</dt><dd>").Append(E(record.Id)).Append("</dd>")
            .Append("<dt>Status</dt><dd id=\"status\">").Append(Status(record.Status)).Append("</dd>")
            .Append("<dt>Date created</dt><dd>").Append(E(Date(record.Created))).Append("</dd>")
            .Append("<dt>Cache tags</dt><dd id=\"tags\">").Append(tags.Length == 0 ? "—" : string.Join("<br>", tags.Select(E))).Append("</dd>")
            .Append("<dt>Paths</dt><dd id=\"paths\">").Append(paths.Length == 0 ? "—" : string.Join("<br>", paths.Select(E))).Append("</dd>")
            .Append("<dt>Objects invalidated</dt><dd id=\"objects\">").Append(record.Status == InvalidationStatus.Completed ? record.ObjectsInvalidated.ToString(System.Globalization.CultureInfo.InvariantCulture) : "—").Append("</dd>")
            .Append("<dt>Propagation time</dt><dd id=\"propagation\">").Append(record.PropagationTime is { } propagation ? E($"{propagation.TotalMilliseconds:0.#} ms") : "—").Append("</dd>")
            .Append("</dl></section>")
            .Append($"<p><a class=\"button\" id=\"copy\" href=\"/console/distributions/{U(distribution.Id)}/invalidations/new?copy={U(record.Id)}{(scope.Length > 0 ? $"&tenant={U(scope)}" : "")}\">Copy to new</a> ")
            .Append($"<a class=\"button secondary\" href=\"/console/distributions/{U(distribution.Id)}/invalidations{query}\">All invalidations</a></p>");

        // Until it completes the page refreshes itself each second: no script, and it turns Completed on its own.
        var refresh = record.Status == InvalidationStatus.Completed ? "" : "<meta http-equiv=\"refresh\" content=\"1\">";
        return Html(Page($"Invalidation {record.Id}", body.ToString(), visitor.Session, visitor.Csrf, refresh));
    }

    /// <summary>
    /// The visitor of a distribution's page (or a tenant's), or the answer that replaces the page: sign in first, or
    /// 404 for a distribution or tenant that does not exist.
    /// </summary>
    private static IResult? Enter(HttpContext context, ConsoleSessions sessions, RouteTableProvider routes, string id, string? tenant,
        out Visitor visitor, out Distribution distribution, out DistributionOptions settings, out string scope)
    {
        visitor = Gate(context, sessions, routes.Current.Options);
        (distribution, settings, scope) = (null!, null!, "");
        if (visitor.Instead is { } instead)
        {
            return instead;
        }

        if (Find(routes, id) is not ({ } found, { } options) || Tenant(found, tenant) is not { } tenantId)
        {
            return NotFound(visitor, $"No distribution or tenant is called {id} {tenant}.");
        }

        (distribution, settings, scope) = (found, options, tenantId);
        return null;
    }

    private static (Distribution Distribution, DistributionOptions Settings)? Find(RouteTableProvider routes, string id) =>
        routes.Current.FindDistribution(id) is { } distribution && routes.Current.Options.Distributions.TryGetValue(distribution.Id, out var settings)
            ? (distribution, settings)
            : null;

    /// <summary>The tenant as configured ("" for the distribution itself), or null when the distribution has none of that name.</summary>
    private static string? Tenant(Distribution distribution, string? tenant) =>
        string.IsNullOrEmpty(tenant) ? "" : distribution.FindTenant(tenant);

    private static IResult NotFound(Visitor visitor, string message) =>
        Html(Page("Not found", $"<h1>Not found</h1><p>{E(message)}</p><p><a href=\"/console/distributions\">All distributions</a></p>", visitor.Session, visitor.Csrf),
            StatusCodes.Status404NotFound);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Console sign-in refused for access key id '{AccessKeyId}' from {Remote}")]
    private static partial void LogSignInFailed(ILogger logger, string accessKeyId, string remote);
}

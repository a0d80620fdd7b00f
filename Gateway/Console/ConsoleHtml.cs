using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace OrleansEdge.Gateway.Console;

/// <summary>
/// The console's pages are plain server-rendered HTML with their style inline: no build step, nothing fetched from
/// elsewhere, so the console works offline and behind any firewall. Every value written is HTML-encoded here.
/// </summary>
internal static class ConsoleHtml
{
    /// <summary>HTML-encodes text for an element or an attribute value.</summary>
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    /// <summary>Encodes one path segment or query value of a console link.</summary>
    public static string U(string? text) => Uri.EscapeDataString(text ?? "");

    public static string Date(DateTimeOffset date) =>
        date.UtcDateTime.ToString("MMMM d, yyyy, HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A whole page: <paramref name="body"/> is HTML already encoded by its writer.</summary>
    public static string Page(string title, string body, ConsoleSession? session, string? csrf, string extraHead = "")
    {
        var page = new StringBuilder(4096);
        page.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(E(title)).Append(" · OrleansEdge console</title>")
            .Append("<style>").Append(Style).Append("</style>").Append(extraHead).Append("</head><body>")
            .Append("<header><a class=\"brand\" href=\"/console/distributions\">OrleansEdge</a>");
        if (session is { Principal.Length: > 0 })
        {
            page.Append("<nav aria-label=\"Main\"><a href=\"/console/distributions\">Distributions</a></nav>")
                .Append("<span class=\"who\">").Append(E(session.Principal)).Append("</span>");
            if (session.Principal != ConsoleSessions.LocalPrincipal && csrf is not null)
            {
                page.Append("<form method=\"post\" action=\"/console/signout\" class=\"inline\">").Append(Csrf(csrf))
                    .Append("<button type=\"submit\" class=\"link\">Sign out</button></form>");
            }
        }

        page.Append("</header><main>").Append(body).Append("</main></body></html>");
        return page.ToString();
    }

    public static string Csrf(string token) => $"<input type=\"hidden\" name=\"{ConsoleSessions.CsrfField}\" value=\"{E(token)}\">";

    /// <summary>A table that scrolls sideways on a narrow screen rather than the page.</summary>
    public static string Table(string caption, string[] headings, IEnumerable<string[]> rows)
    {
        var table = new StringBuilder("<div class=\"scroll\"><table><caption>").Append(E(caption)).Append("</caption><thead><tr>");
        foreach (var heading in headings)
        {
            table.Append("<th scope=\"col\">").Append(E(heading)).Append("</th>");
        }

        table.Append("</tr></thead><tbody>");
        var any = false;
        foreach (var row in rows)
        {
            any = true;
            table.Append("<tr>");
            foreach (var cell in row)
            {
                table.Append("<td>").Append(cell).Append("</td>");
            }

            table.Append("</tr>");
        }

        if (!any)
        {
            table.Append("<tr><td colspan=\"").Append(headings.Length).Append("\" class=\"empty\">None yet.</td></tr>");
        }

        return table.Append("</tbody></table></div>").ToString();
    }

    public static string Status(Grains.Interfaces.Invalidations.InvalidationStatus status) =>
        status == Grains.Interfaces.Invalidations.InvalidationStatus.Completed
            ? "<span class=\"status done\"><span aria-hidden=\"true\">✓</span> Completed</span>"
            : "<span class=\"status progress\"><span aria-hidden=\"true\">⟳</span> InProgress</span>";

    private const string Style = """
        :root{color-scheme:light dark;--fg:#16191f;--bg:#fff;--muted:#5f6b7a;--line:#d5dbdb;--accent:#0972d3;--ok:#037f0c;--bad:#d91515;--panel:#f2f3f3}
        @media (prefers-color-scheme:dark){:root{--fg:#e9ebed;--bg:#0f1b2a;--muted:#a4b0bf;--line:#414d5c;--accent:#539fe5;--ok:#2bb534;--bad:#ff5d64;--panel:#192534}}
        *{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        header{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center;padding:.6rem 1rem;background:#232f3e;color:#fff}
        header a,header .link{color:#fff}.brand{font-weight:700;text-decoration:none}.who{margin-left:auto;opacity:.85}
        main{max-width:72rem;margin:0 auto;padding:1rem}h1{font-size:1.5rem;margin:.5rem 0 1rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
        a{color:var(--accent)}a:focus-visible,button:focus-visible,input:focus-visible,textarea:focus-visible,select:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
        .scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;min-width:32rem}caption{text-align:left;font-weight:600;padding:.25rem 0}
        th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}th{background:var(--panel)}td.empty{color:var(--muted)}
        .status.done{color:var(--ok);font-weight:600}.status.progress{color:var(--muted);font-weight:600}
        form.card,.card{background:var(--panel);padding:1rem;border-radius:.5rem;max-width:40rem}label{display:block;font-weight:600;margin:.6rem 0 .2rem}
        input[type=text],input[type=password],textarea{width:100%;padding:.5rem;font:inherit;border:1px solid var(--line);border-radius:.3rem;background:var(--bg);color:var(--fg)}
        textarea{min-height:8rem;font-family:ui-monospace,monospace}fieldset{border:0;padding:0;margin:.6rem 0}legend{font-weight:600}
        .choice{display:inline-flex;gap:.35rem;align-items:center;margin-right:1rem;font-weight:400}
        button,.button{display:inline-block;padding:.5rem 1rem;font:inherit;font-weight:600;border:0;border-radius:1rem;background:var(--accent);color:#fff;text-decoration:none;cursor:pointer;margin-top:.8rem}
        button.link{background:none;padding:0;margin:0;text-decoration:underline;font-weight:400}form.inline{display:inline}
        .card h2{margin-top:0}.secondary{background:transparent;color:var(--accent);border:2px solid var(--accent)}
        .error{color:var(--bad)}.errors{border-left:4px solid var(--bad);padding:.5rem 1rem;margin:.5rem 0;background:var(--panel)}
        .note{color:var(--muted)}.badge{display:inline-block;font-size:.8rem;padding:0 .5rem;border-radius:.6rem;background:var(--accent);color:#fff}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1.25rem;margin:0}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
        .tabs{display:flex;flex-wrap:wrap;gap:.25rem 1rem;border-bottom:1px solid var(--line);margin:1rem 0}.tabs a{padding:.3rem 0}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:1rem}.chart{background:var(--panel);border-radius:.5rem;padding:.5rem}
        .chart svg{width:100%;height:auto}.chart h3{font-size:.95rem;margin:.2rem 0}
        .charts-frame{width:100%;height:20rem;border:0}@media (min-width:60rem){.charts-frame{height:9.5rem}}
        @media (max-width:40rem){dl{grid-template-columns:1fr}main{padding:.6rem}}
        """;
}

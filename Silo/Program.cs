using OrleansEdge.Grains.Hosting;
using OrleansEdge.Silo;

// One silo of an OrleansEdge cluster. With ConnectionStrings:Redis it joins the silos registered there;
// without it, it runs alone on localhost clustering (the Gateway's embedded mode needs no Silo process).
// Its appsettings.json sits beside the program: started from any folder (a script, a unit file), it is still read.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = args.Any(static a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase)) ? null : AppContext.BaseDirectory,
});

// A small HTTP side for operators: /healthz and /metrics (Edge:Silo:Listen; port 0 picks a free one).
var listen = builder.Configuration["Edge:Silo:Listen"] ?? "http://127.0.0.1:0";
var problems = EdgeClusterOptions.Problems(builder.Configuration);
if (!Uri.TryCreate(listen, UriKind.Absolute, out var listenUri) || listenUri.Scheme != Uri.UriSchemeHttp)
{
    problems.Add($"Edge:Silo:Listen: '{listen}' is not an http URL such as http://127.0.0.1:9464.");
}

if (problems.Count > 0)
{
    Console.Error.WriteLine("OrleansEdge silo cannot start: the configuration is invalid.");
    problems.ForEach(problem => Console.Error.WriteLine($"  {problem}"));
    return 2;
}

builder.UseOrleans(silo => silo.UseEdgeCluster(builder.Configuration));
builder.WebHost.UseUrls(listen);
builder.Services.AddSiloTelemetry(builder.Configuration);
builder.Services.AddHostedService<StartupBanner>();

var app = builder.Build();
app.MapGet("/healthz", () => Results.Text("ok\n"));
app.MapPrometheusScrapingEndpoint();
await app.RunAsync();
return 0;

using OrleansEdge.Grains.Diagnostics;
using OrleansEdge.Grains.Hosting;

// One silo of an OrleansEdge cluster. With ConnectionStrings:Redis it joins the silos registered there;
// without it, it runs alone on localhost clustering (the Gateway's embedded mode needs no Silo process).
var builder = WebApplication.CreateBuilder(args);
builder.UseOrleans(silo => silo.UseEdgeCluster(builder.Configuration));

// A small HTTP side for operators: /healthz and /metrics (Edge:Silo:Listen; port 0 picks a free one).
builder.WebHost.UseUrls(builder.Configuration["Edge:Silo:Listen"] ?? "http://127.0.0.1:0");
builder.Services.AddEdgeTelemetry(builder.Configuration, "orleansedge-silo");

var app = builder.Build();
app.MapGet("/healthz", () => Results.Text("ok\n"));
app.MapPrometheusScrapingEndpoint();
await app.RunAsync();

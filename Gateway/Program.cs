using Microsoft.Extensions.Options;
using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Gateway.Hosting;
using OrleansEdge.Grains.Hosting;

SocketCompletions.RunInline();

// "--demo" is the README's shorthand for the Demo environment: appsettings.Demo.json and the bundled origin.
if (args.Contains("--demo"))
{
    args = [.. args.Where(static a => a != "--demo"), "--environment", "Demo"];
}

var builder = WebApplication.CreateBuilder(args);
if (EdgeConfiguration.AddFile(builder.Configuration) is { } missing)
{
    return Refuse([missing]);
}

if (EdgeConfiguration.Read(builder.Configuration, out var options) is { Count: > 0 } problems)
{
    return Refuse(problems);
}

builder.AddEdgeGateway(options!);
var app = builder.Build();
app.MapEdgeGateway();
try
{
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException exception)
{
    return Refuse(exception.Failures);
}

static int Refuse(IEnumerable<string> problems)
{
    Console.Error.WriteLine("OrleansEdge cannot start: the configuration is invalid.");
    foreach (var problem in problems)
    {
        Console.Error.WriteLine($"  {problem}");
    }

    return 2;
}

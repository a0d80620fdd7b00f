using Microsoft.Extensions.Options;
using OrleansEdge.Gateway.Hosting;

// "--demo" is the README's shorthand for the Demo environment: appsettings.Demo.json and the bundled origin.
if (args.Contains("--demo"))
{
    args = [.. args.Where(static a => a != "--demo"), "--environment", "Demo"];
}

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddEdgeGateway();
    var app = builder.Build();
    app.MapEdgeGateway();
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException exception)
{
    Console.Error.WriteLine("OrleansEdge cannot start: the configuration is invalid.");
    foreach (var failure in exception.Failures)
    {
        Console.Error.WriteLine($"  {failure}");
    }

    return 2;
}
catch (InvalidOperationException exception) when (exception.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
{
    // The binder's own message names the key, e.g. "Failed to convert configuration value at 'Edge:…:Ttl:Min'".
    Console.Error.WriteLine($"OrleansEdge cannot start: {exception.Message}");
    return 2;
}

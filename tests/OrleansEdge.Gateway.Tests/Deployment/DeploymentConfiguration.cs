using System.Net;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Grains.Hosting;

namespace OrleansEdge.Gateway.Tests.Deployment;

/// <summary>
/// Reads a deployment file's settings the way the programs will: environment variable names as configuration keys,
/// every key one the programs read, and the whole configuration validated as the gateway and the silo validate it at start.
/// </summary>
internal static class DeploymentConfiguration
{
    public static string Root { get; } = FindRoot();

    /// <summary>Keys read beside the options classes: the silo's HTTP side, tracing, and where Redis is.</summary>
    private static readonly string[] KeysOutsideOptions = ["ConnectionStrings:Redis", "Edge:Silo:Listen", "Edge:Telemetry:OtlpEndpoint"];

    /// <summary>Host settings read by the .NET runtime or host rather than as configuration keys.</summary>
    private static readonly string[] HostVariables = ["DOTNET_ENVIRONMENT", "DOTNET_NOLOGO"];

    /// <summary>The configuration key an environment variable sets (<c>Edge__Cluster__ClusterId</c> → <c>Edge:Cluster:ClusterId</c>).</summary>
    public static string KeyOf(string variable) => variable.Replace("__", ":", StringComparison.Ordinal);

    /// <summary>Null when the variable sets a key a program reads (or is a host setting); else why not.</summary>
    public static string? Unknown(string variable)
    {
        if (HostVariables.Contains(variable))
        {
            return null;
        }

        var key = KeyOf(variable);
        if (KeysOutsideOptions.Contains(key, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }

        var segments = key.Split(':');
        if (segments.Length < 2 || !segments[0].Equals("Edge", StringComparison.OrdinalIgnoreCase))
        {
            return $"{variable}: no program reads the key {key}";
        }

        var cluster = segments[1].Equals("Cluster", StringComparison.OrdinalIgnoreCase);
        var type = cluster ? typeof(EdgeClusterOptions) : typeof(EdgeOptions);
        foreach (var segment in segments.Skip(cluster ? 2 : 1))
        {
            type = MemberType(type, segment);
            if (type is null)
            {
                return $"{variable}: no program reads the key {key} ('{segment}' is not a setting there)";
            }
        }

        return type == typeof(string) || !type.IsClass ? null : $"{variable}: {key} is a section, not a value";
    }

    private static Type? MemberType(Type type, string segment)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return type.GetGenericArguments()[1];
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return int.TryParse(segment, out _) ? type.GetGenericArguments()[0] : null;
        }

        return type.GetProperty(segment, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType;
    }

    /// <summary>
    /// The gateway's configuration as a deployment gives it: its appsettings files (of the environment the deployment
    /// names), an optional <c>--config</c> file, then the environment. Returns the problems start-up would refuse.
    /// </summary>
    public static List<string> GatewayProblems(IReadOnlyDictionary<string, string> environment, string? configFileJson = null)
    {
        var builder = new ConfigurationBuilder().AddJsonFile(Path.Combine(Root, "Gateway", "appsettings.json"), optional: false);
        if (environment.TryGetValue("DOTNET_ENVIRONMENT", out var name))
        {
            builder.AddJsonFile(Path.Combine(Root, "Gateway", $"appsettings.{name}.json"), optional: false);
        }

        if (configFileJson is not null)
        {
            builder.AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(configFileJson)));
        }

        var configuration = builder.AddInMemoryCollection(environment.Select(e => KeyValuePair.Create(KeyOf(e.Key), (string?)e.Value))).Build();
        return EdgeConfiguration.Problems(configuration);
    }

    /// <summary>The problems a silo would meet at start with this environment: its address must be an IP it can listen on.</summary>
    public static List<string> SiloProblems(IReadOnlyDictionary<string, string> environment)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Root, "Silo", "appsettings.json"), optional: false)
            .AddInMemoryCollection(environment.Select(e => KeyValuePair.Create(KeyOf(e.Key), (string?)e.Value)))
            .Build();
        var problems = new List<string>();
        var settings = EdgeClusterOptions.From(configuration);
        if (!IPAddress.TryParse(settings.AdvertisedAddress, out _))
        {
            problems.Add($"Edge:Cluster:AdvertisedAddress: '{settings.AdvertisedAddress}' is not an IP address");
        }

        if (string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis")))
        {
            problems.Add("ConnectionStrings:Redis: a deployed silo needs the cluster's Redis");
        }

        if (!Uri.TryCreate(configuration["Edge:Silo:Listen"], UriKind.Absolute, out _))
        {
            problems.Add($"Edge:Silo:Listen: '{configuration["Edge:Silo:Listen"]}' is not a URL");
        }

        return problems;
    }

    /// <summary>The port of an http URL setting (<c>http://0.0.0.0:8081</c> → 8081).</summary>
    public static int PortOf(string url) => new Uri(url).Port;

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OrleansEdge.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("OrleansEdge.sln not found above the test binaries.");
    }
}

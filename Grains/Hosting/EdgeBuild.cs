using System.Reflection;
using StackExchange.Redis;

namespace OrleansEdge.Grains.Hosting;

/// <summary>What a process's start-up banner says about the build and the cluster it joins, alike for silos and gateways.</summary>
public static class EdgeBuild
{
    /// <summary>The informational version: the package version and, when built from a git checkout, its commit.</summary>
    public static string Version { get; } =
        typeof(EdgeBuild).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Where Redis is, without its password: banners end up in log stores that more people read.</summary>
    public static string DescribeRedis(string? connectionString) =>
        string.IsNullOrWhiteSpace(connectionString) ? "none (embedded: records and leases in memory)"
        : ConfigurationOptions.Parse(connectionString).ToString(includePassword: false);
}

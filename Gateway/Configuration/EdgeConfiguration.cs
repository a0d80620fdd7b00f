using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using OrleansEdge.Grains.Hosting;

namespace OrleansEdge.Gateway.Configuration;

internal static class EdgeConfiguration
{
    /// <summary>The command-line option naming a configuration file outside the program's folder (<c>--config /etc/orleansedge/gateway.json</c>).</summary>
    public const string FileOption = "config";

    /// <summary>
    /// Reads the file named by <c>--config</c> as if it were one more appsettings file: after the program's own, before
    /// environment variables and the command line, watched and reloaded like them. Deployments keep their settings in
    /// /etc (or a mounted volume) while the program's folder stays read-only. Returns a problem when the file is missing.
    /// </summary>
    public static string? AddFile(ConfigurationManager configuration)
    {
        if (configuration[FileOption] is not { Length: > 0 } path)
        {
            return null;
        }

        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            return $"--{FileOption}: the configuration file '{full}' does not exist.";
        }

        var source = new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource { Path = full, Optional = false, ReloadOnChange = true };
        source.ResolveFileProvider();
        var sources = configuration.Sources;
        var afterAppSettings = sources.Select((s, i) => (s, i)).LastOrDefault(p => p.s is Microsoft.Extensions.Configuration.Json.JsonConfigurationSource).i + 1;
        try
        {
            sources.Insert(afterAppSettings, source);
            return null;
        }
        catch (InvalidDataException exception)
        {
            // Not JSON: the message names the file and, from the parser, the line.
            return $"--{FileOption}: {exception.Message} {exception.InnerException?.Message}".TrimEnd();
        }
    }

    /// <summary>
    /// Binds and validates the <c>Edge</c> section before anything starts, so that a bad setting stops the
    /// process with one line naming its key instead of a host start-up stack trace.
    /// </summary>
    public static List<string> Problems(IConfiguration configuration) => Read(configuration, out _);

    /// <summary>
    /// The one way configuration is read, at start and on every reload: the <c>Edge</c> section checked value by value,
    /// bound, validated as a whole, with <c>Edge:Cluster</c> beside it. Returns the problems; the options only when none.
    /// </summary>
    public static List<string> Read(IConfiguration configuration, out EdgeOptions? read)
    {
        read = null;
        var section = configuration.GetSection(EdgeOptions.Section);

        // The binder silently skips a value it cannot convert inside a dictionary entry (a TTL of "soon"
        // would quietly become the default), so every typed value is checked against its property first.
        var problems = new List<string>();
        CheckValues(section, typeof(EdgeOptions), problems);
        if (problems.Count > 0)
        {
            return problems;
        }

        var options = new EdgeOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException exception)
        {
            return [exception.Message];
        }

        problems = [.. EdgeOptionsValidator.Check(options), .. EdgeClusterOptions.Problems(configuration)];
        if (problems.Count == 0)
        {
            read = options;
        }

        return problems;
    }

    private static void CheckValues(IConfigurationSection section, Type type, List<string> problems)
    {
        foreach (var child in section.GetChildren())
        {
            var childType = MemberType(type, child.Key);
            if (childType is null)
            {
                continue;
            }

            if (child.Value is { } value && childType != typeof(string) && !childType.IsClass)
            {
                var converter = TypeDescriptor.GetConverter(childType);
                try
                {
                    converter.ConvertFromString(null, CultureInfo.InvariantCulture, value);
                }
                catch (Exception exception) when (exception is FormatException or ArgumentException or OverflowException or NotSupportedException)
                {
                    problems.Add($"{child.Path}: '{value}' is not a valid {Describe(childType)}.");
                }
            }
            else
            {
                CheckValues(child, childType, problems);
            }
        }
    }

    /// <summary>The type a configuration key binds to below <paramref name="type"/>: a property, a dictionary value or a list element.</summary>
    private static Type? MemberType(Type type, string key)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return type.GetGenericArguments()[1];
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return type.GetGenericArguments()[0];
        }

        return type.GetProperty(key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType;
    }

    private static string Describe(Type type) =>
        type == typeof(TimeSpan) ? "duration (d.hh:mm:ss, e.g. 00:00:30)"
        : type == typeof(bool) ? "boolean (true or false)"
        : type == typeof(int) || type == typeof(long) ? "whole number"
        : type.Name;
}

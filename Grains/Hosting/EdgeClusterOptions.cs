using System.Net;
using Microsoft.Extensions.Configuration;

namespace OrleansEdge.Grains.Hosting;

/// <summary>Where a silo listens and which cluster it joins (section <c>Edge:Cluster</c>).</summary>
public sealed class EdgeClusterOptions
{
    public const string Section = "Edge:Cluster";

    /// <summary>Silos and gateways with the same ids form one cluster. Default "orleansedge".</summary>
    public string ClusterId { get; set; } = "orleansedge";

    public string ServiceId { get; set; } = "orleansedge";

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port Orleans clients (gateway processes) connect to. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other nodes reach this silo at, and the one it listens on. Default 127.0.0.1.</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Most bytes of copies one silo holds; least recently used go first. Default 1 GiB.</summary>
    public long CacheCapacityBytes { get; set; } = 1L << 30;

    /// <summary>How long a copy stays in its silo without a request reaching it there. Default 1 hour.</summary>
    public TimeSpan ObjectIdleLifetime { get; set; } = TimeSpan.FromHours(1);

    public static EdgeClusterOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<EdgeClusterOptions>() ?? new EdgeClusterOptions();

    /// <summary>
    /// Every problem with <c>Edge:Cluster</c>, each naming its key. Silos and gateways both refuse to start on any, with
    /// these lines rather than the stack trace Orleans would throw from deep in its start-up.
    /// </summary>
    public static List<string> Problems(IConfiguration configuration)
    {
        EdgeClusterOptions settings;
        try
        {
            settings = From(configuration);
        }
        catch (InvalidOperationException exception)
        {
            // The binder names the key and the type it could not convert to.
            return [$"{Section}: {exception.Message}"];
        }

        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(settings.ClusterId))
        {
            problems.Add($"{Section}:ClusterId: must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(settings.ServiceId))
        {
            problems.Add($"{Section}:ServiceId: must not be empty.");
        }

        if (!IPAddress.TryParse(settings.AdvertisedAddress, out _))
        {
            problems.Add($"{Section}:AdvertisedAddress: '{settings.AdvertisedAddress}' is not an IP address; it is the address this silo listens on and other silos reach it at.");
        }

        foreach (var (key, port) in new[] { ("SiloPort", settings.SiloPort), ("GatewayPort", settings.GatewayPort) })
        {
            if (port is < 1 or > 65535)
            {
                problems.Add($"{Section}:{key}: {port} is not a TCP port (1-65535).");
            }
        }

        if (settings.SiloPort == settings.GatewayPort)
        {
            problems.Add($"{Section}:GatewayPort: must differ from {Section}:SiloPort.");
        }

        if (settings.CacheCapacityBytes <= 0)
        {
            problems.Add($"{Section}:CacheCapacityBytes: must be positive.");
        }

        if (settings.ObjectIdleLifetime <= TimeSpan.Zero)
        {
            problems.Add($"{Section}:ObjectIdleLifetime: must be positive.");
        }

        return problems;
    }
}

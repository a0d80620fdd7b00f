using Microsoft.Extensions.Configuration;

namespace OrleansEdge.Grains.Hosting;

/// <summary>Where a silo listens and which cluster it joins (section <c>Edge:Cluster</c>).</summary>
public sealed class EdgeClusterSettings
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

    /// <summary>How long an object grain (and its copy) lives without a request. Default 1 hour.</summary>
    public TimeSpan ObjectIdleLifetime { get; set; } = TimeSpan.FromHours(1);

    public static EdgeClusterSettings From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<EdgeClusterSettings>() ?? new EdgeClusterSettings();
}

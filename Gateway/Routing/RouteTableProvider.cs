using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OrleansEdge.Gateway.Configuration;
using OrleansEdge.Grains.Interfaces.Settings;

namespace OrleansEdge.Gateway.Routing;

/// <summary>
/// Holds the current <see cref="RouteTable"/> and swaps in a new one, in one assignment, when the
/// configuration is reloaded, or when the console's overrides change. A reload that does not validate is logged
/// and ignored: the edge keeps serving with the last good configuration. Overrides stay over every reload until the
/// console removes them.
/// </summary>
internal sealed partial class RouteTableProvider : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly ILogger<RouteTableProvider> _logger;
    private readonly IDisposable _subscription;

    // One immutable snapshot: the options and the routes built from them are swapped together, never half and half.
    private volatile RouteTable _current;
    private readonly Lock _swap = new();

    public RouteTableProvider(IOptions<EdgeOptions> options, IConfiguration configuration, ILogger<RouteTableProvider> logger)
    {
        _configuration = configuration;
        _logger = logger;
        _current = new RouteTable(options.Value);
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    public RouteTable Current => _current;

    public EdgeOptions Options => _current.Options;

    /// <summary>Serves with <paramref name="overrides"/> over the configuration, unless the ones in force are as new.</summary>
    public void Apply(SettingsOverrides overrides)
    {
        lock (_swap)
        {
            if (overrides.Version > _current.Overrides.Version)
            {
                _current = new RouteTable(_current.Options, overrides);
                LogOverridesApplied(_logger, overrides.Version, overrides.CacheTags.Count);
            }
        }
    }

    public void Dispose() => _subscription.Dispose();

    private void Reload()
    {
        // The same checks as at start: a reload that start-up would refuse is refused too.
        var problems = EdgeConfiguration.Read(_configuration, out var options);
        if (options is null)
        {
            LogReloadRejected(_logger, string.Join(" ", problems));
            return;
        }

        lock (_swap)
        {
            _current = new RouteTable(options, _current.Overrides);
        }

        LogReloaded(_logger, options.Distributions.Count);
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Configuration reloaded: {Count} distributions")]
    private static partial void LogReloaded(ILogger logger, int count);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Console settings applied (version {Version}, {Count} distributions overridden)")]
    private static partial void LogOverridesApplied(ILogger logger, long version, int count);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Configuration reload ignored, the edge keeps the previous one: {Errors}")]
    private static partial void LogReloadRejected(ILogger logger, string errors);
}

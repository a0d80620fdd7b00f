using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace OrleansEdge.Gateway.Configuration;

/// <summary>
/// Holds the current <see cref="RouteTable"/> and swaps in a new one, in one assignment, when the
/// configuration is reloaded. A reload that does not validate is logged and ignored: the edge keeps serving
/// with the last good configuration.
/// </summary>
internal sealed partial class RouteTableProvider : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly ILogger<RouteTableProvider> _logger;
    private readonly IDisposable _subscription;
    private volatile RouteTable _current;
    private volatile EdgeOptions _options;

    public RouteTableProvider(IOptions<EdgeOptions> options, IConfiguration configuration, ILogger<RouteTableProvider> logger)
    {
        _configuration = configuration;
        _logger = logger;
        _options = options.Value;
        _current = new RouteTable(_options);
        _subscription = ChangeToken.OnChange(configuration.GetReloadToken, Reload);
    }

    public RouteTable Current => _current;

    public EdgeOptions Options => _options;

    public void Dispose() => _subscription.Dispose();

    private void Reload()
    {
        try
        {
            var options = new EdgeOptions();
            _configuration.GetSection(EdgeOptions.Section).Bind(options);
            var errors = EdgeOptionsValidator.Check(options);
            if (errors.Count > 0)
            {
                LogReloadRejected(_logger, string.Join(" ", errors));
                return;
            }

            _options = options;
            _current = new RouteTable(options);
            LogReloaded(_logger, options.Distributions.Count);
        }
        catch (InvalidOperationException exception)
        {
            LogReloadRejected(_logger, exception.Message);
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Configuration reloaded: {Count} distributions")]
    private static partial void LogReloaded(ILogger logger, int count);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Configuration reload ignored, the edge keeps the previous one: {Errors}")]
    private static partial void LogReloadRejected(ILogger logger, string errors);
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OrleansEdge.Gateway.Configuration;

namespace OrleansEdge.Gateway.Hosting;

/// <summary>
/// The certificate the https endpoints present (<c>Edge:Listen:Certificate</c>): PEM (<c>Path</c> and <c>KeyPath</c>)
/// or PFX (<c>Path</c> and <c>Password</c>). Read again when its files change, so a renewed certificate (certbot, a
/// Kubernetes secret) is presented to the next connection without a restart; a broken renewal keeps the last good one.
/// </summary>
internal sealed partial class ServerCertificate(Func<CertificateOptions> options, TimeProvider time, ILogger<ServerCertificate> logger)
{
    /// <summary>How often a TLS handshake may look at the files' modification times.</summary>
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private X509Certificate2? _current;
    private string _loadedFrom = "";
    private long _lastCheck;

    /// <summary>The certificate for the next handshake.</summary>
    public X509Certificate2 Current
    {
        get
        {
            var now = time.GetTimestamp();
            if (_current is { } current && time.GetElapsedTime(Volatile.Read(ref _lastCheck), now) < CheckEvery)
            {
                return current;
            }

            lock (_lock)
            {
                Volatile.Write(ref _lastCheck, now);
                var settings = options();
                var stamp = Stamp(settings);
                if (_current is null || stamp != _loadedFrom)
                {
                    try
                    {
                        _current = Load(settings);
                        if (_loadedFrom.Length > 0)
                        {
                            LogReloaded(logger, settings.Path, _current.Subject, _current.NotAfter);
                        }

                        _loadedFrom = stamp;
                    }
                    catch (Exception exception) when (_current is not null && exception is CryptographicException or IOException)
                    {
                        LogReloadFailed(logger, settings.Path, exception.Message);
                        _loadedFrom = stamp;
                    }
                }

                return _current;
            }
        }
    }

    /// <summary>What is wrong with the certificate settings, or null when the certificate loads.</summary>
    public static string? Problem(CertificateOptions settings)
    {
        if (string.IsNullOrWhiteSpace(settings.Path))
        {
            return "Edge:Listen:Certificate:Path: an https endpoint needs a certificate (a PEM file with KeyPath, or a PFX file with Password).";
        }

        try
        {
            using var certificate = Load(settings);
            return certificate.HasPrivateKey ? null : $"Edge:Listen:Certificate: '{settings.Path}' holds no private key; give KeyPath (PEM) or a PFX with its key.";
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return $"Edge:Listen:Certificate: '{settings.Path}' could not be read as a certificate with its key: {exception.Message}";
        }
    }

    private static X509Certificate2 Load(CertificateOptions settings)
    {
        if (!string.IsNullOrEmpty(settings.KeyPath))
        {
            return X509Certificate2.CreateFromPemFile(settings.Path!, settings.KeyPath);
        }

        if (File.ReadAllText(settings.Path!).Contains("-----BEGIN", StringComparison.Ordinal))
        {
            // A PEM file holding both the certificate and its key.
            return X509Certificate2.CreateFromPemFile(settings.Path!);
        }

        return X509CertificateLoader.LoadPkcs12FromFile(settings.Path!, settings.Password);
    }

    /// <summary>The files' names, sizes and modification times: what changes when a certificate is renewed.</summary>
    private static string Stamp(CertificateOptions settings)
    {
        static string Of(string? path) =>
            string.IsNullOrEmpty(path) ? "" : File.Exists(path) ? $"{path}|{new FileInfo(path).Length}|{File.GetLastWriteTimeUtc(path).Ticks}" : path;
        return string.Concat(Of(settings.Path), "|", Of(settings.KeyPath), "|", settings.Password);
    }

    [LoggerMessage(EventId = 1310, Level = LogLevel.Information, Message = "TLS certificate {Path} reloaded: {Subject}, valid until {NotAfter:u}")]
    private static partial void LogReloaded(ILogger logger, string? path, string subject, DateTime notAfter);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "TLS certificate {Path} changed but could not be read ({Reason}); the previous one is still presented")]
    private static partial void LogReloadFailed(ILogger logger, string? path, string reason);
}

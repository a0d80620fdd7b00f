using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using OrleansEdge.Gateway.Configuration;

namespace OrleansEdge.Gateway.Console;

/// <summary>A signed-in operator (or, where the control plane is open, the local one).</summary>
internal sealed record ConsoleSession(string Id, string Principal, DateTimeOffset Issued);

/// <summary>
/// The console's sessions (SPEC §8): a cookie signed with a key this process draws at start (HMAC-SHA256), so a
/// session lives as long as the process and its lifetime, and is good only on the gateway that issued it.
/// <c>HttpOnly</c> and <c>SameSite=Strict</c>, <c>Secure</c> over https. Each session has its own CSRF token, the
/// HMAC of its id, that every form carries and every post is checked against.
/// </summary>
internal sealed class ConsoleSessions(TimeProvider time)
{
    public const string CookieName = "orleansedge-console";
    public const string CsrfField = "_csrf";

    /// <summary>Who signs in without credentials where the control plane is open (no credentials, loopback only).</summary>
    public const string LocalPrincipal = "local";

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    /// <summary>Whether the console asks for a sign-in: whenever the API itself does (access keys or a purge token configured).</summary>
    public static bool RequiresSignIn(EdgeOptions options) => options.Credentials.Count > 0 || !string.IsNullOrEmpty(options.PurgeToken);

    /// <summary>The principal the credentials sign in as, or null: an access key id with its secret, or the purge token alone.</summary>
    public static string? Verify(EdgeOptions options, string accessKeyId, string secret)
    {
        var presented = Encoding.UTF8.GetBytes(secret);
        if (string.IsNullOrWhiteSpace(accessKeyId))
        {
            return !string.IsNullOrEmpty(options.PurgeToken) && CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(options.PurgeToken))
                ? "purge token"
                : null;
        }

        foreach (var credential in options.Credentials)
        {
            // Every secret is compared, so the time taken does not tell which key ids exist.
            var matches = CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(credential.SecretAccessKey));
            if (matches && string.Equals(credential.AccessKeyId, accessKeyId.Trim(), StringComparison.Ordinal))
            {
                return credential.AccessKeyId;
            }
        }

        return null;
    }

    /// <summary>The request's session, if its cookie is genuine and younger than <paramref name="lifetime"/>.</summary>
    public ConsoleSession? Read(HttpContext context, TimeSpan lifetime)
    {
        if (context.Request.Cookies[CookieName] is not { Length: > 0 } cookie)
        {
            return null;
        }

        var dot = cookie.IndexOf('.');
        if (dot <= 0)
        {
            return null;
        }

        byte[] payload, signature;
        try
        {
            payload = WebEncoders.Base64UrlDecode(cookie[..dot]);
            signature = WebEncoders.Base64UrlDecode(cookie[(dot + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(signature, HMACSHA256.HashData(_key, payload)))
        {
            return null;
        }

        var parts = Encoding.UTF8.GetString(payload).Split('\n');
        if (parts.Length != 3 || !long.TryParse(parts[2], out var issuedSeconds))
        {
            return null;
        }

        var issued = DateTimeOffset.FromUnixTimeSeconds(issuedSeconds);
        return time.GetUtcNow() - issued < lifetime ? new ConsoleSession(parts[0], parts[1], issued) : null;
    }

    /// <summary>Starts a session for <paramref name="principal"/> and sets its cookie.</summary>
    public ConsoleSession Start(HttpContext context, string principal)
    {
        var session = new ConsoleSession(WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16)), principal, time.GetUtcNow());
        var payload = Encoding.UTF8.GetBytes($"{session.Id}\n{principal.Replace('\n', ' ')}\n{session.Issued.ToUnixTimeSeconds()}");
        var value = WebEncoders.Base64UrlEncode(payload) + "." + WebEncoders.Base64UrlEncode(HMACSHA256.HashData(_key, payload));
        context.Response.Cookies.Append(CookieName, value, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/console",
            IsEssential = true,
        });
        return session;
    }

    public static void End(HttpContext context) =>
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/console", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps });

    /// <summary>The CSRF token of <paramref name="session"/>: a form posted with another one was not made by its page.</summary>
    public string CsrfToken(ConsoleSession session) =>
        WebEncoders.Base64UrlEncode(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes("csrf\n" + session.Id)));

    public bool IsCsrfValid(ConsoleSession session, string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(CsrfToken(session)));
}

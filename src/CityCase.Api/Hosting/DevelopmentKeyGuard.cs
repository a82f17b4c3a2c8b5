using System.Net;
using Microsoft.AspNetCore.Http;

namespace CityCase.Api.Hosting;

/// <summary>
/// The built-in development signing key is in the source for anyone to read, so whoever can reach a server that
/// signs with it can mint themselves an admin token. In Development with no <c>Auth:SigningKey</c> configured
/// (the case where the development key would be used), the server may therefore listen on loopback only.
/// </summary>
public static class DevelopmentKeyGuard
{
    /// <summary>Refuses to start when the development key would protect a listener other machines can reach.</summary>
    /// <exception cref="InvalidOperationException">The message names the addresses and says to set Auth__SigningKey.</exception>
    public static void Check(IConfiguration configuration, IHostEnvironment environment)
    {
        // Outside Development a key is required anyway (AuthSettings.From refuses to start without one).
        if (!environment.IsDevelopment() || !string.IsNullOrEmpty(configuration["Auth:SigningKey"])) return;

        var reachable = ListenAddresses(configuration).Where(a => !IsLoopback(a)).ToList();
        if (reachable.Count == 0) return;
        throw new InvalidOperationException(
            $"The server would listen on {string.Join(", ", reachable)}, which other machines can reach, while Auth:SigningKey " +
            "is not set, so its tokens would be signed with the built-in development key that anyone can read in the source. " +
            "Set Auth__SigningKey to a secret of at least 32 bytes, or listen on loopback only (e.g. --urls http://127.0.0.1:5080).");
    }

    /// <summary>
    /// Every address the configuration asks Kestrel to listen on: <c>urls</c> (<c>--urls</c>, <c>ASPNETCORE_URLS</c>,
    /// <c>Urls</c>), <c>http_ports</c>/<c>https_ports</c> (<c>ASPNETCORE_HTTP_PORTS</c>: all interfaces) and
    /// <c>Kestrel:Endpoints:*:Url</c>. Kestrel uses only some of them at once; all are checked.
    /// </summary>
    public static IEnumerable<string> ListenAddresses(IConfiguration configuration)
    {
        foreach (var url in Split(configuration["urls"])) yield return url;
        foreach (var port in Split(configuration["http_ports"])) yield return $"http://*:{port}";
        foreach (var port in Split(configuration["https_ports"])) yield return $"https://*:{port}";
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
            if (endpoint["Url"] is { Length: > 0 } url) yield return url;

        static IEnumerable<string> Split(string? list) =>
            (list ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>
    /// Loopback addresses (127.0.0.0/8, ::1, <c>localhost</c>) and Unix sockets or named pipes are local;
    /// <c>*</c>, <c>+</c>, <c>0.0.0.0</c>, <c>::</c>, other IP addresses and host names (which Kestrel binds on every
    /// interface) are not. An address that cannot be parsed counts as reachable.
    /// </summary>
    public static bool IsLoopback(string url)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            return false;
        }
        if (address.IsUnixPipe || address.IsNamedPipe) return true;
        var host = address.Host.Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }
}

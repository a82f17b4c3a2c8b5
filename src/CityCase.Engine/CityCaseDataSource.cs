using System.Data.Common;
using Npgsql;

namespace CityCase.Engine;

/// <summary>
/// The one <see cref="NpgsqlDataSource"/> every part of the engine connects through (Marten, Wolverine's message store,
/// the advisory locks, our own SQL). A connection string with several hosts (<c>Host=db1:5432,db2:5432</c>: a primary and
/// its standby) gives Npgsql's multi-host data source, pinned to the primary.
/// </summary>
public static class CityCaseDataSource
{
    /// <summary>How long Npgsql trusts a host's last known role when nothing said otherwise (its default is 10 s).</summary>
    public const int DefaultHostRecheckSeconds = 2;

    public static NpgsqlDataSource Build(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        if (settings.Host?.Contains(',') != true) return builder.Build();

        // Npgsql's multi-host default is any host, the first that answers, which may be a standby: CityCase writes on
        // every path, so it wants the primary unless told read-write.
        var target = settings.TargetSessionAttributes?.Replace("-", "").ToLowerInvariant();
        if (target is null) settings.TargetSessionAttributes = "primary";
        else if (target is not ("primary" or "readwrite"))
            throw new InvalidOperationException(
                $"ConnectionStrings:Marten lists several hosts with Target Session Attributes={settings.TargetSessionAttributes}: CityCase writes, so it must be primary (the default) or read-write.");

        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        bool Given(string key) => given.Keys.Cast<string>().Any(k => string.Equals(k.Replace(" ", ""), key, StringComparison.OrdinalIgnoreCase));
        // After a failover the promoted standby is remembered as a standby until this expires: keep it short.
        if (!Given("HostRecheckSeconds")) settings.HostRecheckSeconds = DefaultHostRecheckSeconds;
        // A primary that vanishes without closing its sockets is noticed on idle connections too (the advisory lock's).
        if (!Given("TcpKeepalive")) settings.TcpKeepAlive = true;

        // A broken connection marks its host offline and clears that host's pool (Npgsql does this itself), so the next
        // open finds the new primary; nothing here needs restarting.
        return builder.Build(); // a multi-host data source, as the string lists several hosts
    }
}

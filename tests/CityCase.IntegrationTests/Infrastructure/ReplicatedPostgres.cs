using System.Diagnostics;
using CityCase.Api.LocalPostgres;
using Npgsql;

namespace CityCase.IntegrationTests.Infrastructure;

/// <summary>
/// A PostgreSQL primary with a streaming standby under synchronous replication, both private clusters of the machine's
/// own binaries (<see cref="LocalPostgresCluster"/>) on loopback ports: a commit is acknowledged only once the standby has
/// flushed it, so promoting the standby after the primary dies loses no acknowledged write.
/// Also compiled into the benchmark program (its failover figure).
/// </summary>
public sealed class ReplicatedPostgres : IAsyncDisposable
{
    /// <summary>The standby's application_name, which <c>synchronous_standby_names</c> names.</summary>
    public const string StandbyName = "citycase_standby";

    private static readonly TimeSpan StreamingTimeout = TimeSpan.FromSeconds(30);
    private readonly string _root;
    private readonly EventHandler _onExit;
    private int _disposed;

    private ReplicatedPostgres(string root, LocalPostgresCluster primary, LocalPostgresCluster standby)
    {
        _root = root;
        Primary = primary;
        Standby = standby;
        // A test host that ends without disposing (a crash, a cancelled run) must not leave two servers behind.
        _onExit = (_, _) => DisposeAsync().AsTask().GetAwaiter().GetResult();
        AppDomain.CurrentDomain.ProcessExit += _onExit;
    }

    public LocalPostgresCluster Primary { get; }
    public LocalPostgresCluster Standby { get; }

    /// <summary>Starts the primary, takes the standby from it and waits until it streams as the synchronous standby.</summary>
    public static async Task<ReplicatedPostgres> StartAsync(CancellationToken ct = default)
    {
        var root = Directory.CreateTempSubdirectory("citycase-standby-").FullName;
        LocalPostgresCluster? primary = null, standby = null;
        try
        {
            // Durable: synchronous replication means nothing if commits are not flushed (LocalPostgresCluster's test mode is not).
            primary = await LocalPostgresCluster.StartAsync(Path.Combine(root, "primary"), ct: ct, durable: true);
            standby = await primary.StartStandbyAsync(Path.Combine(root, "standby"), StandbyName, ct);
            // Set after the base backup, so that the standby's copy of the settings lacks it: once promoted it runs alone
            // instead of waiting for a standby of its own. synchronous_commit is on (durable): commits wait for its flush.
            await Execute(primary.ConnectionString(), $"alter system set synchronous_standby_names = '{StandbyName}'", ct);
            await Execute(primary.ConnectionString(), "select pg_reload_conf()", ct);

            var waited = Stopwatch.StartNew();
            while (await SyncState(primary.ConnectionString(), ct) != "sync")
            {
                if (waited.Elapsed > StreamingTimeout)
                    throw new InvalidOperationException($"The standby was not streaming synchronously within {StreamingTimeout.TotalSeconds} s.");
                await Task.Delay(100, ct);
            }
            return new ReplicatedPostgres(root, primary, standby);
        }
        catch
        {
            if (standby is not null) await standby.StopAsync();
            if (primary is not null) await primary.StopAsync();
            DeleteDirectory(root);
            throw;
        }
    }

    /// <summary>Creates a database on the primary (the standby replays it).</summary>
    public Task CreateDatabaseAsync(string name) => Primary.CreateDatabaseAsync(name);

    /// <summary>
    /// The multi-host connection string the API nodes get: both servers, the primary wanted. Npgsql takes each host's port
    /// after a colon.
    /// </summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(Primary.ConnectionString(database))
        {
            Host = $"127.0.0.1:{Primary.Port},127.0.0.1:{Standby.Port}",
            TargetSessionAttributes = "primary",
        }.ConnectionString;

    /// <summary>
    /// Kills the primary's postmaster (SIGKILL) and promotes the standby, as a failover manager would; returns how long the
    /// promotion took.
    /// </summary>
    public async Task<TimeSpan> KillPrimaryAndPromoteAsync(CancellationToken ct = default)
    {
        Primary.Kill();
        var promoting = Stopwatch.StartNew();
        await Standby.PromoteAsync(ct);
        return promoting.Elapsed;
    }

    /// <summary>What <c>pg_stat_replication</c> says of the standby's sync state (sync, potential, async), or null.</summary>
    private static async Task<string?> SyncState(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "select sync_state from pg_stat_replication where application_name = $1 and state = 'streaming'", connection)
        {
            Parameters = { new() { Value = StandbyName } },
        };
        return await command.ExecuteScalarAsync(ct) as string;
    }

    private static async Task Execute(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void DeleteDirectory(string directory)
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Stops both servers (a killed primary only leaves its directory) and deletes their directories.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        AppDomain.CurrentDomain.ProcessExit -= _onExit;
        await Standby.StopAsync();
        await Primary.StopAsync();
        DeleteDirectory(_root);
    }
}

using CityCase.Api.LocalPostgres;

namespace CityCase.IntegrationTests.Infrastructure;

/// <summary>
/// One private PostgreSQL cluster per test run, started by the same mechanism the server uses;
/// each test class gets a database of its own on it.
/// </summary>
public static class TestPostgres
{
    private static readonly string DataDirectory =
        Path.Combine(Path.GetTempPath(), $"citycase-tests-{Environment.ProcessId}");

    private static readonly Lazy<Task<LocalPostgresCluster>> Cluster = new(async () =>
    {
        RemoveClustersOfEndedRuns();
        var cluster = await LocalPostgresCluster.StartAsync(DataDirectory, durable: false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return cluster;
    });

    public static Task<LocalPostgresCluster> Instance => Cluster.Value;

    /// <summary>The one value of a query (a count, as a rule) on a test database, for tests that check the tables themselves.</summary>
    public static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>A test host may end before ProcessExit cleans up: remove folders whose run has ended.</summary>
    private static void RemoveClustersOfEndedRuns()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), "citycase-tests-*"))
        {
            if (!int.TryParse(Path.GetFileName(dir)["citycase-tests-".Length..], out var pid) || pid == Environment.ProcessId) continue;
            if (Directory.Exists($"/proc/{pid}")) continue; // still running
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>A fresh, empty database; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var cluster = await Instance;
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)].ToLowerInvariant();
        await cluster.CreateDatabaseAsync(name);
        return cluster.ConnectionString(name);
    }
}

using CityCase.Api.LocalPostgres;
using Npgsql;

namespace CityCase.IntegrationTests.Hosting;

/// <summary>
/// The private cluster asks for a password: one generated with it, kept beside its data readable by its owner only;
/// a cluster of an earlier version, which trusted every local connection, is given one on its next start.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LocalPostgresPasswordTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("citycase-password-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static async Task<object?> Scalar(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static string Without(string connectionString, string? password) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Password = password, Pooling = false }.ConnectionString;

    private static async Task AssertRefusedWithout(LocalPostgresCluster cluster)
    {
        // No password: Npgsql cannot answer the server's SCRAM challenge.
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => Scalar(Without(cluster.ConnectionString(), null), "select 1"));
        // A wrong one: the server refuses it (28P01 invalid_password).
        var wrong = await Assert.ThrowsAsync<PostgresException>(() => Scalar(Without(cluster.ConnectionString(), "guess"), "select 1"));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, wrong.SqlState);
    }

    [Fact]
    public async Task A_new_cluster_requires_the_password_kept_in_a_file_only_its_owner_reads()
    {
        await using var cluster = await LocalPostgresCluster.StartAsync(Path.Combine(_root, "pg"), durable: false);

        Assert.Equal(1, await Scalar(cluster.ConnectionString(), "select 1"));
        Assert.Contains("Password=", cluster.ConnectionString());
        await AssertRefusedWithout(cluster);

        Assert.Equal(Path.Combine(cluster.DataDirectory, LocalPostgresCluster.PasswordFileName), cluster.PasswordFile);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cluster.PasswordFile)); // 600
        var password = File.ReadAllText(cluster.PasswordFile).Trim();
        Assert.True(password.Length >= 40, "a 32-byte random password");
        Assert.Equal(password, new NpgsqlConnectionStringBuilder(cluster.ConnectionString()).Password);
        Assert.False(LocalPostgresCluster.TrustsConnections(Path.Combine(cluster.DataDirectory, "pg_hba.conf")));
    }

    [Fact]
    public async Task A_cluster_made_with_trust_authentication_is_given_a_password_on_its_next_start()
    {
        var data = Path.Combine(_root, "pg");
        // As an earlier version left it: trust in pg_hba.conf, no password on the role, no password file.
        var earlier = await LocalPostgresCluster.StartAsync(data, durable: false);
        await earlier.CreateDatabaseAsync("kept");
        await Scalar(earlier.ConnectionString(), "alter role postgres password null");
        await earlier.StopAsync();
        var hba = Path.Combine(data, "pg_hba.conf");
        await File.WriteAllTextAsync(hba, (await File.ReadAllTextAsync(hba)).Replace("scram-sha-256", "trust")); // in place: owner kept
        File.Delete(Path.Combine(data, LocalPostgresCluster.PasswordFileName));
        Assert.True(LocalPostgresCluster.TrustsConnections(hba));

        await using var upgraded = await LocalPostgresCluster.StartAsync(data, durable: false);

        Assert.False(LocalPostgresCluster.TrustsConnections(hba), await File.ReadAllTextAsync(hba));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(upgraded.PasswordFile));
        Assert.Equal("kept", await Scalar(upgraded.ConnectionString("kept"), "select current_database()"));
        await AssertRefusedWithout(upgraded);
        await upgraded.StopAsync();

        // And the start after that simply uses the password.
        await using var again = await LocalPostgresCluster.StartAsync(data, durable: false);
        Assert.Equal("kept", await Scalar(again.ConnectionString("kept"), "select current_database()"));
        await AssertRefusedWithout(again);
    }

    [Fact]
    public async Task A_cluster_that_wants_a_password_but_lost_its_file_fails_saying_so()
    {
        var data = Path.Combine(_root, "pg");
        await (await LocalPostgresCluster.StartAsync(data, durable: false)).DisposeAsync();
        File.Delete(Path.Combine(data, LocalPostgresCluster.PasswordFileName));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LocalPostgresCluster.StartAsync(data, durable: false));
        Assert.Contains(LocalPostgresCluster.PasswordFileName, error.Message);
    }
}

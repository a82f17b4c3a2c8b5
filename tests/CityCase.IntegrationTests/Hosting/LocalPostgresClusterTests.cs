using CityCase.Api.LocalPostgres;
using CityCase.IntegrationTests.Infrastructure;
using Npgsql;

namespace CityCase.IntegrationTests.Hosting;

public sealed class LocalPostgresClusterTests
{
    [Fact]
    public void The_machines_server_binaries_are_found()
    {
        var bin = LocalPostgresCluster.FindBinDirectory();
        Assert.True(File.Exists(Path.Combine(bin, "initdb")), bin);
        Assert.True(File.Exists(Path.Combine(bin, "pg_ctl")), bin);
    }

    [Fact]
    public void Without_binaries_the_error_says_what_to_install()
    {
        var nowhere = Directory.CreateTempSubdirectory("citycase-nopg-").FullName;
        var error = Assert.Throws<InvalidOperationException>(() => LocalPostgresCluster.FindBinDirectory(nowhere, nowhere));
        Assert.Contains("apt-get install postgresql", error.Message);
        Assert.Contains("ConnectionStrings__Marten", error.Message);
        Directory.Delete(nowhere);
    }

    [Fact]
    public async Task Databases_are_created_once_and_isolated()
    {
        var cluster = await TestPostgres.Instance;
        await cluster.CreateDatabaseAsync("isolation_probe");
        await cluster.CreateDatabaseAsync("isolation_probe"); // idempotent

        await using var connection = new NpgsqlConnection(cluster.ConnectionString("isolation_probe"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select current_database()", connection);
        Assert.Equal("isolation_probe", await command.ExecuteScalarAsync());
        Assert.Equal("127.0.0.1", connection.Host);
        await Assert.ThrowsAsync<ArgumentException>(() => cluster.CreateDatabaseAsync("bad name; drop"));
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CityCase.Api.LocalPostgres;
using Npgsql;

namespace CityCase.IntegrationTests.Hosting;

/// <summary>
/// The private cluster's life: start, answer, keep its data across restarts, share nothing with another
/// cluster, recover from a server left running, survive losing the race for its port; and where it looks
/// for the binaries. Each test gets clusters of its own in a temporary folder (initdb takes about a second).
/// </summary>
public sealed class LocalPostgresClusterLifecycleTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("citycase-cluster-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string Folder(string name) => Path.Combine(_root, name);

    private static Task<LocalPostgresCluster> Start(string dataDirectory) =>
        LocalPostgresCluster.StartAsync(dataDirectory, durable: false);

    private static async Task<object?> Scalar(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task<bool> DatabaseExists(LocalPostgresCluster cluster, string name) =>
        await Scalar(cluster.ConnectionString(), $"select count(*) from pg_database where datname = '{name}'") is 1L;

    private static bool Answers(int port)
    {
        using var client = new TcpClient();
        try { client.Connect(IPAddress.Loopback, port); return true; }
        catch (SocketException) { return false; }
    }

    [Fact]
    public async Task A_cluster_starts_answers_and_keeps_its_data_across_restarts()
    {
        var data = Folder("pg");

        var first = await Start(data);
        Assert.Equal(data, first.DataDirectory);
        Assert.True(File.Exists(Path.Combine(data, "PG_VERSION")));
        Assert.Equal(1, await Scalar(first.ConnectionString(), "select 1"));
        Assert.Contains("Host=127.0.0.1", first.ConnectionString());
        await first.CreateDatabaseAsync("kept");
        Assert.Equal("kept", await Scalar(first.ConnectionString("kept"), "select current_database()"));
        await first.StopAsync();
        await first.StopAsync(); // idempotent
        await first.DisposeAsync();
        Assert.False(File.Exists(Path.Combine(data, "postmaster.pid")), "the server should be stopped");
        Assert.False(Answers(first.Port));

        await using var second = await Start(data);
        Assert.True(await DatabaseExists(second, "kept"), "the database made before the restart should still be there");
        Assert.Equal("kept", await Scalar(second.ConnectionString("kept"), "select current_database()"));
    }

    [Fact]
    public async Task Two_clusters_started_together_get_their_own_ports_and_data()
    {
        var starting = new[] { Start(Folder("a")), Start(Folder("b")) };
        var clusters = await Task.WhenAll(starting);
        await using var a = clusters[0];
        await using var b = clusters[1];

        Assert.NotEqual(a.Port, b.Port);
        await a.CreateDatabaseAsync("only_in_a");
        Assert.True(await DatabaseExists(a, "only_in_a"));
        Assert.False(await DatabaseExists(b, "only_in_a"));
    }

    [Fact]
    public async Task A_server_left_running_on_the_data_directory_is_stopped_and_replaced()
    {
        var data = Folder("pg");
        var abandoned = await Start(data); // as if its process had been killed before stopping it
        await abandoned.CreateDatabaseAsync("survivor");

        await using var fresh = await Start(data);

        Assert.True(await DatabaseExists(fresh, "survivor"));
        if (fresh.Port != abandoned.Port) Assert.False(Answers(abandoned.Port), "the abandoned server should be gone");
    }

    [Fact]
    public async Task After_the_server_itself_crashed_the_next_start_recovers()
    {
        var data = Folder("pg");
        var crashed = await Start(data);
        await crashed.CreateDatabaseAsync("survivor");
        var postmaster = int.Parse(File.ReadLines(Path.Combine(data, "postmaster.pid")).First());
        using (var process = Process.GetProcessById(postmaster)) process.Kill(); // SIGKILL: postmaster.pid stays behind

        await using var recovered = await Start(data);

        Assert.True(await DatabaseExists(recovered, "survivor"));
    }

    [Fact]
    public async Task Losing_the_race_for_a_port_means_trying_another()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var picks = 0;
        int PickPort()
        {
            if (picks++ == 0) return taken;
            using var free = new TcpListener(IPAddress.Loopback, 0);
            free.Start();
            return ((IPEndPoint)free.LocalEndpoint).Port;
        }

        await using var cluster = await LocalPostgresCluster.StartAsync(Folder("pg"), null, durable: false, PickPort, default);

        Assert.Equal(2, picks);
        Assert.NotEqual(taken, cluster.Port);
        Assert.Equal(1, await Scalar(cluster.ConnectionString(), "select 1"));
    }

    [Fact]
    public async Task Database_names_must_be_plain_identifiers()
    {
        await using var cluster = await Start(Folder("pg"));
        await Assert.ThrowsAsync<ArgumentException>(() => cluster.CreateDatabaseAsync("Upper"));
        await Assert.ThrowsAsync<ArgumentException>(() => cluster.CreateDatabaseAsync("x\"; drop database postgres; --"));
        await Assert.ThrowsAsync<ArgumentException>(() => cluster.CreateDatabaseAsync(new string('a', 64)));

        var longest = new string('a', 63);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => cluster.CreateDatabaseAsync(longest))); // concurrent: no error
        Assert.True(await DatabaseExists(cluster, longest));
    }

    [Fact]
    public void The_binaries_are_looked_for_on_PATH_then_through_pg_config_then_under_the_Debian_root()
    {
        var debian = Folder("debian");
        foreach (var version in new[] { "9.6", "15", "16", "notaversion" })
            FakeServerBinaries(Path.Combine(debian, version, "bin"));
        Directory.CreateDirectory(Path.Combine(debian, "17")); // client-only install: no server binaries
        var onPath = FakeServerBinaries(Folder("onpath"));
        var viaPgConfig = FakeServerBinaries(Folder("viapgconfig"));
        var tools = Directory.CreateDirectory(Folder("tools")).FullName;
        var pgConfig = Path.Combine(tools, "pg_config");
        File.WriteAllText(pgConfig, $"#!/bin/sh\necho '{viaPgConfig}'\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(pgConfig, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var empty = Directory.CreateDirectory(Folder("empty")).FullName;
        string PathOf(params string[] dirs) => string.Join(Path.PathSeparator, dirs);

        Assert.Equal(onPath, LocalPostgresCluster.FindBinDirectory(PathOf(empty, tools, onPath), debian));
        Assert.Equal(viaPgConfig, LocalPostgresCluster.FindBinDirectory(PathOf(empty, tools), debian));
        Assert.Equal(Path.Combine(debian, "16", "bin"), LocalPostgresCluster.FindBinDirectory(PathOf(empty), debian));
        var error = Assert.Throws<InvalidOperationException>(() => LocalPostgresCluster.FindBinDirectory(PathOf(empty), empty));
        Assert.Contains("initdb", error.Message);

        var real = LocalPostgresCluster.FindBinDirectory();
        Assert.True(File.Exists(Path.Combine(real, "initdb")), real);
    }

    private static string FakeServerBinaries(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var binary in new[] { "initdb", "pg_ctl", "postgres" })
            File.WriteAllText(Path.Combine(directory, binary), "");
        return directory;
    }
}

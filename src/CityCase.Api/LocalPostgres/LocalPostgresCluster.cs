using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Npgsql;

namespace CityCase.Api.LocalPostgres;

/// <summary>
/// A private PostgreSQL cluster made from the machine's own server binaries: created in a data directory
/// on first use, started on a free loopback port, stopped on dispose, and reused on the next start.
/// The server uses it when no connection string is configured; the integration tests use it always.
/// </summary>
public sealed partial class LocalPostgresCluster : IAsyncDisposable
{
    private const string Superuser = "postgres";
    private readonly string _binDirectory;
    private readonly string? _runAs;
    private readonly ILogger? _logger;
    private int _stopped;

    private LocalPostgresCluster(string binDirectory, string dataDirectory, int port, string? runAs, ILogger? logger)
    {
        _binDirectory = binDirectory;
        DataDirectory = dataDirectory;
        Port = port;
        _runAs = runAs;
        _logger = logger;
    }

    public string DataDirectory { get; }
    public int Port { get; }

    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = Superuser,
            Database = database,
            MaxPoolSize = 100,
        }.ConnectionString;

    /// <summary>
    /// Finds initdb, pg_ctl and postgres: on PATH, then through <c>pg_config --bindir</c>, then the newest
    /// of <c>/usr/lib/postgresql/*/bin</c> (where Debian puts them, off PATH).
    /// </summary>
    public static string FindBinDirectory() =>
        FindBinDirectory(Environment.GetEnvironmentVariable("PATH") ?? "", "/usr/lib/postgresql");

    internal static string FindBinDirectory(string path, string debian)
    {
        static bool HasServer(string? dir) =>
            !string.IsNullOrEmpty(dir) && new[] { "initdb", "pg_ctl", "postgres" }.All(b => File.Exists(Path.Combine(dir, b)));

        var onPath = path.Split(Path.PathSeparator).FirstOrDefault(HasServer);
        if (onPath is not null) return onPath;

        var pgConfig = path.Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "pg_config")).FirstOrDefault(File.Exists);
        if (pgConfig is not null)
        {
            var (code, output) = RunSync(pgConfig, ["--bindir"]);
            if (code == 0 && HasServer(output.Trim())) return output.Trim();
        }

        if (Directory.Exists(debian))
        {
            var newest = Directory.GetDirectories(debian)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: double.TryParse(Path.GetFileName(d),
                    System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(x => HasServer(x.Dir)).OrderByDescending(x => x.Version).FirstOrDefault();
            if (newest.Dir is not null) return newest.Dir;
        }

        throw new InvalidOperationException(
            "No PostgreSQL server binaries (initdb, pg_ctl, postgres) were found on PATH, via `pg_config --bindir`, " +
            "or under /usr/lib/postgresql/*/bin. Install PostgreSQL (Debian: `apt-get install postgresql`) " +
            "or set ConnectionStrings__Marten to an existing server.");
    }

    /// <summary>
    /// Starts the cluster in <paramref name="dataDirectory"/>, creating it first if it does not exist.
    /// <paramref name="durable"/> = false trades crash safety for speed (fsync off): for tests only.
    /// </summary>
    public static async Task<LocalPostgresCluster> StartAsync(string dataDirectory, ILogger? logger = null,
        CancellationToken ct = default, bool durable = true)
    {
        dataDirectory = Path.GetFullPath(dataDirectory);
        var bin = FindBinDirectory();
        var runAs = Environment.UserName == "root" || geteuid() == 0 ? UnprivilegedUser() : null;

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            logger?.LogInformation("Initialising a private PostgreSQL cluster in {DataDirectory}", dataDirectory);
            Directory.CreateDirectory(dataDirectory);
            PrepareOwnership(dataDirectory, runAs);
            await RunChecked(bin, "initdb", runAs, ["-D", dataDirectory, "-U", Superuser, "--auth=trust", "-E", "UTF8",
                "--locale=C", "--no-instructions"], ct);
        }
        else
        {
            PrepareOwnership(dataDirectory, runAs);
        }

        // A server left running on this directory (a crash, a kill -9) would hold it: stop it first.
        if (File.Exists(Path.Combine(dataDirectory, "postmaster.pid")))
        {
            var (status, _) = await Run(bin, "pg_ctl", runAs, ["status", "-D", dataDirectory], ct);
            if (status == 0)
            {
                logger?.LogWarning("A PostgreSQL server was still running on {DataDirectory}; stopping it first", dataDirectory);
                await Run(bin, "pg_ctl", runAs, ["stop", "-D", dataDirectory, "-m", "fast", "-w"], ct);
            }
        }

        // Unix sockets live in a short private folder: socket paths are limited to ~100 characters.
        var socketDirectory = Directory.CreateTempSubdirectory("citycase-pg-").FullName;
        PrepareOwnership(socketDirectory, runAs);

        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackPort();
            var options = $"-p {port} -k {socketDirectory} -c listen_addresses=127.0.0.1 -c max_connections=300";
            if (!durable) options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            var (code, output) = await Run(bin, "pg_ctl", runAs,
                ["start", "-D", dataDirectory, "-l", Path.Combine(dataDirectory, "server.log"), "-w", "-t", "60", "-o", options], ct);
            if (code == 0)
            {
                var cluster = new LocalPostgresCluster(bin, dataDirectory, port, runAs, logger);
                logger?.LogInformation("PostgreSQL ({Bin}) listening on 127.0.0.1:{Port}", bin, port);
                return cluster;
            }
            // Another process may have taken the port between our probe and the server's bind.
            if (attempt < 3 && ServerLog(dataDirectory).Contains("could not bind", StringComparison.OrdinalIgnoreCase)) continue;
            throw new InvalidOperationException(
                $"PostgreSQL did not start in {dataDirectory} (pg_ctl exited {code}).\n{output}\n--- server.log ---\n{ServerLog(dataDirectory)}");
        }
    }

    public async Task CreateDatabaseAsync(string name, CancellationToken ct = default)
    {
        if (!DatabaseName().IsMatch(name))
            throw new ArgumentException($"'{name}' is not a plain database name (a-z, 0-9, _).", nameof(name));
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", connection)
        { Parameters = { new() { Value = name } } };
        if (await exists.ExecuteScalarAsync(ct) is not null) return;
        await using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
        try
        {
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // created by a concurrent caller: fine
        }
    }

    /// <summary>Stops the server (fast shutdown); the data stays for the next start. Idempotent.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        NpgsqlConnection.ClearAllPools();
        var (code, output) = await Run(_binDirectory, "pg_ctl", _runAs, ["stop", "-D", DataDirectory, "-m", "fast", "-w"], default);
        if (code == 0) _logger?.LogInformation("PostgreSQL on port {Port} stopped", Port);
        else _logger?.LogWarning("Stopping PostgreSQL on port {Port} failed: {Output}", Port, output);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string ServerLog(string dataDirectory)
    {
        var log = Path.Combine(dataDirectory, "server.log");
        return File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(30)) : "(no server.log)";
    }

    /// <summary>PostgreSQL refuses to run as root: as root we run it as the postgres user (or nobody).</summary>
    private static string UnprivilegedUser()
    {
        var passwd = File.Exists("/etc/passwd") ? File.ReadAllLines("/etc/passwd") : [];
        return passwd.Any(l => l.StartsWith("postgres:", StringComparison.Ordinal)) ? "postgres" : "nobody";
    }

    /// <summary>The server user must own its folders and be able to reach them through every parent.</summary>
    private static void PrepareOwnership(string directory, string? runAs)
    {
        if (runAs is null || OperatingSystem.IsWindows()) return;
        RunSync("chown", ["-R", runAs, directory]);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        for (var parent = Directory.GetParent(directory); parent is not null; parent = parent.Parent)
        {
            var mode = File.GetUnixFileMode(parent.FullName);
            if (!mode.HasFlag(UnixFileMode.OtherExecute))
                File.SetUnixFileMode(parent.FullName, mode | UnixFileMode.OtherExecute);
        }
    }

    private static async Task RunChecked(string bin, string tool, string? runAs, string[] args, CancellationToken ct)
    {
        var (code, output) = await Run(bin, tool, runAs, args, ct);
        if (code != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited {code}:\n{output}");
    }

    private static async Task<(int Code, string Output)> Run(string bin, string tool, string? runAs, string[] args,
        CancellationToken ct)
    {
        var start = runAs is null
            ? new ProcessStartInfo(Path.Combine(bin, tool))
            : new ProcessStartInfo("runuser") { ArgumentList = { "-u", runAs, "--", Path.Combine(bin, tool) } };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.WorkingDirectory = "/";
        using var process = Process.Start(start)!;
        // pg_ctl start leaves the server holding inherited pipes: read to the exit, not to end of stream.
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var output = await Task.WhenAny(Task.WhenAll(stdout, stderr), Task.Delay(2000, ct)) is Task<string[]> both
            ? string.Concat(both.Result)
            : "";
        return (process.ExitCode, output);
    }

    private static (int Code, string Output) RunSync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    [System.Runtime.InteropServices.DllImport("libc")]
#pragma warning disable SYSLIB1054 // one libc call; a source-generated import is not worth it here
    private static extern uint geteuid();
#pragma warning restore SYSLIB1054

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex DatabaseName();
}

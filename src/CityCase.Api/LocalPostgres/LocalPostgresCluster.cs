using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace CityCase.Api.LocalPostgres;

/// <summary>
/// A private PostgreSQL cluster made from the machine's own server binaries: created in a data directory
/// on first use, started on a free loopback port, stopped on dispose, and reused on the next start.
/// The server uses it when no connection string is configured; the integration tests use it always.
/// </summary>
/// <remarks>
/// <para>The server listens on 127.0.0.1 only, with no Unix socket (<c>unix_socket_directories=''</c>): there
/// is then no socket path to keep short, no socket folder to create, own and clean up, and no clash with
/// a system server's <c>/var/run/postgresql</c>. Connect with <c>psql -h 127.0.0.1 -p PORT -U postgres</c>.</para>
/// <para>PostgreSQL refuses to run as root. As root, initdb, pg_ctl and postgres run through
/// <c>runuser -u postgres</c> (or <c>nobody</c> when there is no postgres user), which is given the data
/// directory, and every folder above it is made traversable (o+x, never readable) for it.</para>
/// <para>One cluster per data directory: two processes starting on the same directory at once are not supported.</para>
/// </remarks>
public sealed partial class LocalPostgresCluster : IAsyncDisposable
{
    private const string Superuser = "postgres";
    private const int StartAttempts = 3;
    private const long LogRotationBytes = 16 * 1024 * 1024;
    private static readonly string[] ServerBinaries = ["initdb", "pg_ctl", "postgres"];

    private readonly string _binDirectory;
    private readonly string? _runAs;
    private readonly ILogger? _logger;
    private readonly ConcurrentDictionary<string, byte> _connectionStrings = new();
    private int _stopped;

    private LocalPostgresCluster(string binDirectory, string dataDirectory, int port, string? runAs, ILogger? logger)
    {
        _binDirectory = binDirectory;
        DataDirectory = dataDirectory;
        Port = port;
        _runAs = runAs;
        _logger = logger;
    }

    /// <summary>The cluster's data directory (absolute).</summary>
    public string DataDirectory { get; }

    /// <summary>The loopback TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary>An Npgsql connection string to <paramref name="database"/> as the superuser (trust authentication).</summary>
    public string ConnectionString(string database = "postgres")
    {
        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = Superuser,
            Database = database,
        }.ConnectionString;
        _connectionStrings.TryAdd(connectionString, 0); // its pool is cleared when the server stops
        return connectionString;
    }

    /// <summary>
    /// The directory holding initdb, pg_ctl and postgres: the first on PATH, else what <c>pg_config --bindir</c>
    /// says, else the newest <c>/usr/lib/postgresql/*/bin</c> (where Debian puts them, off PATH).
    /// </summary>
    /// <exception cref="InvalidOperationException">No server binaries are installed; the message says what to do.</exception>
    public static string FindBinDirectory() =>
        FindBinDirectory(Environment.GetEnvironmentVariable("PATH") ?? "", "/usr/lib/postgresql");

    /// <summary>As <see cref="FindBinDirectory()"/>, with the PATH and the Debian root given.</summary>
    internal static string FindBinDirectory(string path, string debianRoot)
    {
        var pathDirectories = path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        if (pathDirectories.FirstOrDefault(HasServerBinaries) is { } onPath) return onPath;

        if (pathDirectories.Select(d => Path.Combine(d, "pg_config")).FirstOrDefault(File.Exists) is { } pgConfig)
        {
            try
            {
                var (code, output) = RunSync(pgConfig, ["--bindir"]);
                if (code == 0 && HasServerBinaries(output.Trim())) return output.Trim();
            }
            catch (Win32Exception)
            {
                // not executable: fall through to the Debian layout
            }
        }

        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => (Bin: Path.Combine(d, "bin"), Version: VersionOf(Path.GetFileName(d))))
                .Where(x => HasServerBinaries(x.Bin))
                .OrderByDescending(x => x.Version)
                .Select(x => x.Bin)
                .FirstOrDefault();
            if (newest is not null) return newest;
        }

        throw new InvalidOperationException(
            "No PostgreSQL server binaries (initdb, pg_ctl, postgres) were found on PATH, via `pg_config --bindir`, " +
            "or under /usr/lib/postgresql/*/bin. Install PostgreSQL (Debian: `apt-get install postgresql`) " +
            "or set ConnectionStrings__Marten to an existing server.");

        static bool HasServerBinaries(string directory) =>
            ServerBinaries.All(b => File.Exists(Path.Combine(directory, b)));

        // "15" → 15.0, "9.6" → 9.6; anything else sorts last.
        static Version VersionOf(string name) =>
            Version.TryParse(name.Contains('.') ? name : name + ".0", out var v) ? v : new Version(0, 0);
    }

    /// <summary>
    /// Starts the cluster in <paramref name="dataDirectory"/>, creating it first (initdb) if it holds none,
    /// on a free loopback port; returns once the server accepts connections.
    /// <paramref name="durable"/> = false turns fsync, synchronous commit and full-page writes off: faster,
    /// but a machine crash can lose or corrupt the data. For tests only.
    /// </summary>
    public static Task<LocalPostgresCluster> StartAsync(string dataDirectory, ILogger? logger = null,
        CancellationToken ct = default, bool durable = true) =>
        StartAsync(dataDirectory, logger, durable, FreeLoopbackPort, ct);

    /// <summary>As the public overload, with the port picker given (tests use it to lose the race for a port).</summary>
    internal static async Task<LocalPostgresCluster> StartAsync(string dataDirectory, ILogger? logger, bool durable,
        Func<int> pickPort, CancellationToken ct)
    {
        dataDirectory = Path.GetFullPath(dataDirectory);
        var bin = FindBinDirectory();
        var runAs = ServerUser();
        var pgCtl = new Tool(bin, "pg_ctl", runAs);

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            logger?.LogInformation("Initialising a private PostgreSQL cluster in {DataDirectory}", dataDirectory);
            Directory.CreateDirectory(dataDirectory);
            PrepareDataDirectory(dataDirectory, runAs, logger);
            string[] initdb = ["-D", dataDirectory, "-U", Superuser, "--auth=trust", "-E", "UTF8", "--locale=C"];
            await new Tool(bin, "initdb", runAs).RunChecked(durable ? initdb : [.. initdb, "--no-sync"], ct);
        }
        else
        {
            PrepareDataDirectory(dataDirectory, runAs, logger);
        }

        // A server still running on this directory (its owner was killed before stopping it, or another process
        // runs it) holds the directory. We stop it and start afresh rather than adopt it: its options (durable
        // or not) are not ours, and whoever started it may stop it under us at any moment.
        // A postmaster that itself died (kill -9, OOM killer) leaves a stale postmaster.pid, which the next start
        // clears by itself; pg_ctl stop reports failure on it, so the status afterwards says whether stopping worked.
        if (File.Exists(Path.Combine(dataDirectory, "postmaster.pid")) && await IsRunning(pgCtl, dataDirectory, ct))
        {
            logger?.LogWarning("A PostgreSQL server was still running on {DataDirectory}; stopping it first", dataDirectory);
            string[] stop = ["stop", "-D", dataDirectory, "-m", "fast", "-w", "-t", "60"];
            var (code, output) = await pgCtl.Run(stop, ct);
            if (code != 0 && await IsRunning(pgCtl, dataDirectory, ct))
                throw new InvalidOperationException(
                    $"A PostgreSQL server is running on {dataDirectory} and could not be stopped: {pgCtl.Describe(stop)} exited {code}:\n{output.Trim()}");
        }

        var log = Path.Combine(dataDirectory, "server.log");
        RotateLog(log);
        for (var attempt = 1; ; attempt++)
        {
            var port = pickPort();
            var options = $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300";
            if (!durable) options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
            var logStart = File.Exists(log) ? new FileInfo(log).Length : 0;

            (int Code, string Output) result;
            try
            {
                result = await pgCtl.Run(["start", "-D", dataDirectory, "-l", log, "-w", "-t", "60", "-o", options], ct);
            }
            catch (OperationCanceledException)
            {
                // pg_ctl was killed, but the server it launched may be coming up: do not leave it behind.
                await pgCtl.Run(["stop", "-D", dataDirectory, "-m", "immediate", "-w"], CancellationToken.None);
                throw;
            }

            if (result.Code == 0)
            {
                var version = File.ReadAllText(Path.Combine(dataDirectory, "PG_VERSION")).Trim();
                logger?.LogInformation("PostgreSQL {Version} listening on 127.0.0.1:{Port} (data in {DataDirectory})",
                    version, port, dataDirectory);
                return new LocalPostgresCluster(bin, dataDirectory, port, runAs, logger);
            }

            var attemptLog = ReadFrom(log, logStart);
            // Another process may have taken the port between our probe and the server's bind: pick another.
            if (attempt < StartAttempts && (attemptLog.Contains("could not bind", StringComparison.Ordinal) || !IsFree(port)))
            {
                logger?.LogInformation("Port {Port} was taken before PostgreSQL could bind it; trying another", port);
                continue;
            }
            throw new InvalidOperationException(
                $"PostgreSQL did not start in {dataDirectory}: {pgCtl.Describe(["start", "-D", dataDirectory, "-o", options])} " +
                $"exited {result.Code}.\n{result.Output.Trim()}\n--- server.log ---\n{Tail(attemptLog, 30)}");
        }
    }

    /// <summary>Creates the database <paramref name="name"/> unless it exists. Safe to call concurrently.</summary>
    /// <exception cref="ArgumentException">The name is not a plain lower-case identifier of at most 63 characters.</exception>
    public async Task CreateDatabaseAsync(string name, CancellationToken ct = default)
    {
        if (name.Length > 63 || !DatabaseName().IsMatch(name))
            throw new ArgumentException($"'{name}' is not a plain database name (a-z, 0-9 and _, at most 63 characters).", nameof(name));

        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", connection)
        {
            Parameters = { new() { Value = name } },
        };
        if (await exists.ExecuteScalarAsync(ct) is not null) return;

        // The name is validated above, so quoting it is enough; CREATE DATABASE takes no parameters.
        await using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
        try
        {
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // created by a concurrent caller between our check and our create: fine
        }
    }

    /// <summary>Stops the server (fast shutdown: sessions are ended); the data stays for the next start. Idempotent.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;

        // Close our idle pooled connections cleanly first; connections in use are discarded when returned.
        foreach (var connectionString in _connectionStrings.Keys)
        {
            using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }

        var (code, output) = await new Tool(_binDirectory, "pg_ctl", _runAs)
            .Run(["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"], CancellationToken.None);
        if (code == 0) _logger?.LogInformation("PostgreSQL on 127.0.0.1:{Port} stopped", Port);
        else _logger?.LogWarning("Stopping PostgreSQL on 127.0.0.1:{Port} failed (pg_ctl exited {Code}): {Output}", Port, code, output);
    }

    /// <inheritdoc cref="StopAsync"/>
    public async ValueTask DisposeAsync() => await StopAsync();

    private static async Task<bool> IsRunning(Tool pgCtl, string dataDirectory, CancellationToken ct) =>
        (await pgCtl.Run(["status", "-D", dataDirectory], ct)).Code == 0;

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>server.log is appended to by every start; past 16 MB it moves to server.log.1.</summary>
    private static void RotateLog(string log)
    {
        if (File.Exists(log) && new FileInfo(log).Length > LogRotationBytes)
            File.Move(log, log + ".1", overwrite: true);
    }

    private static string ReadFrom(string file, long offset)
    {
        if (!File.Exists(file)) return "(no server.log)";
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(Math.Min(offset, stream.Length), SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string Tail(string text, int lines) =>
        string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));

    /// <summary>Whom to run the PostgreSQL programs as: null for ourselves, or an unprivileged user when we are root.</summary>
    private static string? ServerUser()
    {
        if (OperatingSystem.IsWindows() || !Environment.IsPrivilegedProcess) return null;
        return RunSync("id", ["-u", "postgres"]).Code == 0 ? "postgres" : "nobody";
    }

    /// <summary>As root: the server user must own its data directory (mode 0700) and reach it through every parent.</summary>
    private static void PrepareDataDirectory(string directory, string? runAs, ILogger? logger)
    {
        if (runAs is null || OperatingSystem.IsWindows()) return;

        var (code, output) = RunSync("chown", ["-R", runAs, directory]);
        if (code != 0) throw new InvalidOperationException($"chown -R {runAs} {directory} exited {code}: {output.Trim()}");
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        for (var parent = Directory.GetParent(directory); parent is not null; parent = parent.Parent)
        {
            var mode = File.GetUnixFileMode(parent.FullName);
            if (mode.HasFlag(UnixFileMode.OtherExecute)) continue;
            // Search permission only: others can pass through the folder to a path they know, not list it.
            File.SetUnixFileMode(parent.FullName, mode | UnixFileMode.OtherExecute);
            logger?.LogWarning("Made {Directory} traversable by others (chmod o+x) so that PostgreSQL, running as {User}, can reach {DataDirectory}",
                parent.FullName, runAs, directory);
        }
    }

    private static (int Code, string Output) RunSync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.GetAwaiter().GetResult());
    }

    /// <summary>One of the PostgreSQL programs, run as <see cref="RunAs"/> (through runuser) when that is set.</summary>
    private sealed record Tool(string Bin, string Name, string? RunAs)
    {
        public async Task RunChecked(string[] args, CancellationToken ct)
        {
            var (code, output) = await Run(args, ct);
            if (code != 0) throw new InvalidOperationException($"{Describe(args)} exited {code}:\n{output.Trim()}");
        }

        public async Task<(int Code, string Output)> Run(string[] args, CancellationToken ct)
        {
            var start = RunAs is null
                ? new ProcessStartInfo(Path.Combine(Bin, Name))
                : new ProcessStartInfo(Runuser()) { ArgumentList = { "-u", RunAs, "--", Path.Combine(Bin, Name) } };
            foreach (var arg in args) start.ArgumentList.Add(arg);
            start.RedirectStandardOutput = start.RedirectStandardError = true;
            start.UseShellExecute = false;
            start.WorkingDirectory = "/"; // the caller's folder may be closed to the server user
            start.Environment["LC_ALL"] = "C"; // messages in English, whatever the caller's locale

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Describe(args)}");
            var output = new StringBuilder();
            process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw;
            }
            // The async WaitForExit also waits for the end of both streams. pg_ctl start gives the server the
            // log file, not our pipes, so they close when pg_ctl exits.
            lock (output) return (process.ExitCode, output.ToString());
        }

        public string Describe(string[] args) =>
            (RunAs is null ? "" : $"runuser -u {RunAs} -- ") + Path.Combine(Bin, Name) + " " + string.Join(' ', args);

        private static string Runuser() =>
            new[] { "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "This process runs as root, which PostgreSQL refuses, and `runuser` (util-linux) was not found to run it " +
                "as an unprivileged user. Run CityCase as an ordinary user, install util-linux, or set ConnectionStrings__Marten " +
                "to an existing server.");
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex DatabaseName();
}

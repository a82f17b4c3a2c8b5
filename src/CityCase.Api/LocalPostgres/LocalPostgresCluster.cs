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
/// <para>Connections need a password (scram-sha-256): a random one generated with the cluster and kept in
/// <c>citycase.password</c> in the data directory, readable only by its owner (mode 600). A data directory made by
/// an earlier version with trust authentication is given one on its next start (see <see cref="PasswordFileName"/>).</para>
/// <para><see cref="Watch"/> starts a watchdog that restarts the server if its postmaster dies.</para>
/// </remarks>
public sealed partial class LocalPostgresCluster : IAsyncDisposable
{
    private const string Superuser = "postgres";
    private const int StartAttempts = 3;
    private const long LogRotationBytes = 16 * 1024 * 1024;
    private static readonly string[] ServerBinaries = ["initdb", "pg_ctl", "postgres"];

    /// <summary>The file in the data directory that holds the superuser's password (one line, mode 600).</summary>
    public const string PasswordFileName = "citycase.password";

    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestRestartPause = TimeSpan.FromSeconds(30);

    private readonly string _binDirectory;
    private readonly string? _runAs;
    private readonly ILogger? _logger;
    private readonly string _password;
    private readonly bool _durable;
    private readonly ConcurrentDictionary<string, byte> _connectionStrings = new();
    private readonly CancellationTokenSource _watching = new();
    private readonly object _watchLock = new();
    private Task? _watchdog;
    private int _stopped;

    private LocalPostgresCluster(string binDirectory, string dataDirectory, int port, string? runAs, ILogger? logger,
        string password, bool durable)
    {
        _binDirectory = binDirectory;
        DataDirectory = dataDirectory;
        Port = port;
        _runAs = runAs;
        _logger = logger;
        _password = password;
        _durable = durable;
    }

    /// <summary>The cluster's data directory (absolute).</summary>
    public string DataDirectory { get; }

    /// <summary>The loopback TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The path of the password file (<see cref="PasswordFileName"/>).</summary>
    public string PasswordFile => Path.Combine(DataDirectory, PasswordFileName);

    /// <summary>How many times the watchdog has restarted the server since it started.</summary>
    public int Restarts => _restarts;
    private int _restarts;

    /// <summary>An Npgsql connection string to <paramref name="database"/> as the superuser, with its password.</summary>
    public string ConnectionString(string database = "postgres")
    {
        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = Superuser,
            Password = _password,
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

        var passwordFile = Path.Combine(dataDirectory, PasswordFileName);
        string password;
        var trustedBefore = false;
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            logger?.LogInformation("Initialising a private PostgreSQL cluster in {DataDirectory}", dataDirectory);
            Directory.CreateDirectory(dataDirectory);
            PrepareDataDirectory(dataDirectory, runAs, logger);
            password = NewPassword();
            // initdb wants an empty directory, so the password reaches it through a file of its own elsewhere.
            var pwfile = Path.Combine(Path.GetTempPath(), $"citycase-initdb-{Guid.NewGuid():N}");
            WriteSecret(pwfile, password, runAs);
            try
            {
                string[] initdb = ["-D", dataDirectory, "-U", Superuser, "--auth=scram-sha-256", $"--pwfile={pwfile}",
                    "-E", "UTF8", "--locale=C"];
                await new Tool(bin, "initdb", runAs).RunChecked(durable ? initdb : [.. initdb, "--no-sync"], ct);
            }
            finally
            {
                File.Delete(pwfile);
            }
            WriteSecret(passwordFile, password, runAs);
        }
        else
        {
            PrepareDataDirectory(dataDirectory, runAs, logger);
            // A cluster of an earlier version trusted every local connection: it gets a password once it runs.
            trustedBefore = TrustsConnections(Path.Combine(dataDirectory, "pg_hba.conf"));
            if (!File.Exists(passwordFile))
            {
                if (!trustedBefore)
                    throw new InvalidOperationException(
                        $"The private PostgreSQL cluster in {dataDirectory} requires a password, but its password file " +
                        $"{passwordFile} is missing. Restore the file, or delete the data directory to start afresh (its data is lost).");
                WriteSecret(passwordFile, NewPassword(), runAs);
            }
            password = ReadPassword(passwordFile);
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
            var options = ServerOptions(port, durable);
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
                var cluster = new LocalPostgresCluster(bin, dataDirectory, port, runAs, logger, password, durable);
                if (trustedBefore) await cluster.RequirePasswordAsync(ct);
                return cluster;
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

    private static string ServerOptions(int port, bool durable)
    {
        var options = $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300";
        if (!durable) options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        return options;
    }

    /// <summary>
    /// An earlier version's cluster (trust authentication): set the superuser's password from the password file,
    /// switch pg_hba.conf to scram-sha-256 and reload. Safe to repeat if interrupted: the password file is written
    /// before anything else, and pg_hba.conf changes last.
    /// </summary>
    private async Task RequirePasswordAsync(CancellationToken ct)
    {
        _logger?.LogWarning("The private PostgreSQL cluster in {DataDirectory} trusted every local connection (an earlier " +
                            "version made it so); it now requires the password kept in {PasswordFile}", DataDirectory, PasswordFile);
        await using (var connection = new NpgsqlConnection(ConnectionString()))
        {
            await connection.OpenAsync(ct); // trust: the password is not asked for yet
            // ALTER ROLE takes no parameters; the password is our own, of base64url characters only.
            await using var alter = new NpgsqlCommand(
                $"set password_encryption = 'scram-sha-256'; alter role {Superuser} password '{_password}'", connection);
            await alter.ExecuteNonQueryAsync(ct);
        }

        var hba = Path.Combine(DataDirectory, "pg_hba.conf");
        var lines = (await File.ReadAllLinesAsync(hba, ct)).Select(l => IsTrustLine(l) ? TrustMethod().Replace(l, "scram-sha-256") : l);
        // Rewritten in place, so that the file keeps its owner (the server user) and mode.
        await File.WriteAllTextAsync(hba, string.Join('\n', lines) + "\n", ct);

        await using (var connection = new NpgsqlConnection(ConnectionString()))
        {
            await connection.OpenAsync(ct);
            await using var reload = new NpgsqlCommand("select pg_reload_conf()", connection);
            await reload.ExecuteScalarAsync(ct);
        }
        ClearPools(); // no connection opened under trust is reused
    }

    /// <summary>Whether pg_hba.conf lets any connection in without a password (initdb --auth=trust).</summary>
    internal static bool TrustsConnections(string hbaFile) =>
        File.Exists(hbaFile) && File.ReadLines(hbaFile).Any(IsTrustLine);

    private static bool IsTrustLine(string line)
    {
        var content = line.Split('#', 2)[0];
        return content.TrimStart() is { Length: > 0 } && TrustMethod().IsMatch(content);
    }

    /// <summary>32 random bytes in base64url: no quote, backslash or space, so it is safe in SQL and in a pwfile.</summary>
    private static string NewPassword() =>
        Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string ReadPassword(string file)
    {
        var password = File.ReadLines(file).FirstOrDefault()?.Trim();
        return string.IsNullOrEmpty(password)
            ? throw new InvalidOperationException($"The password file {file} is empty. Restore it, or delete the data directory to start afresh.")
            : password;
    }

    /// <summary>Writes a one-line secret readable only by its owner (600): the server user when we run it as another.</summary>
    private static void WriteSecret(string file, string secret, string? runAs)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(file, options))
        using (var writer = new StreamWriter(stream))
            writer.Write(secret + "\n");
        if (runAs is null || OperatingSystem.IsWindows()) return;
        var (code, output) = RunSync("chown", [runAs, file]);
        if (code != 0) throw new InvalidOperationException($"chown {runAs} {file} exited {code}: {output.Trim()}");
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

        // The watchdog must not restart what we stop.
        Task? watchdog;
        lock (_watchLock) watchdog = _watchdog;
        await _watching.CancelAsync();
        if (watchdog is not null) await watchdog;

        // Close our idle pooled connections cleanly first; connections in use are discarded when returned.
        ClearPools();

        var (code, output) = await new Tool(_binDirectory, "pg_ctl", _runAs)
            .Run(["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"], CancellationToken.None);
        if (code == 0) _logger?.LogInformation("PostgreSQL on 127.0.0.1:{Port} stopped", Port);
        else _logger?.LogWarning("Stopping PostgreSQL on 127.0.0.1:{Port} failed (pg_ctl exited {Code}): {Output}", Port, code, output);
    }

    /// <inheritdoc cref="StopAsync"/>
    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>Clears the pools of the connection strings this cluster handed out.</summary>
    private void ClearPools()
    {
        foreach (var connectionString in _connectionStrings.Keys)
        {
            using var connection = new NpgsqlConnection(connectionString);
            NpgsqlConnection.ClearPool(connection);
        }
    }

    /// <summary>
    /// Makes a streaming standby of this server in <paramref name="dataDirectory"/> (<c>pg_basebackup -R</c>, which also
    /// copies the password file) and starts it on a free loopback port. It connects as <paramref name="applicationName"/>,
    /// the name <c>synchronous_standby_names</c> can give. The server must be durable: a standby of a server without
    /// fsync and synchronous commit guarantees nothing.
    /// </summary>
    public async Task<LocalPostgresCluster> StartStandbyAsync(string dataDirectory, string applicationName,
        CancellationToken ct = default)
    {
        if (!_durable) throw new InvalidOperationException("A standby needs a durable primary (StartAsync with durable: true).");
        dataDirectory = Path.GetFullPath(dataDirectory);
        if (Directory.Exists(dataDirectory) && Directory.EnumerateFileSystemEntries(dataDirectory).Any())
            throw new InvalidOperationException($"The standby's data directory {dataDirectory} is not empty.");
        Directory.CreateDirectory(dataDirectory);
        PrepareDataDirectory(dataDirectory, _runAs, _logger);
        // The password goes through the environment, not the command line; -R writes it into primary_conninfo.
        await new Tool(ClientBinDirectory("pg_basebackup"), "pg_basebackup", _runAs).RunChecked(
            ["-D", dataDirectory, "-R", "-X", "stream", "-c", "fast",
             "-d", $"host=127.0.0.1 port={Port} user={Superuser} application_name={applicationName}"], ct,
            new Dictionary<string, string> { ["PGPASSWORD"] = _password });
        return await StartAsync(dataDirectory, _logger, ct, durable: true);
    }

    /// <summary>
    /// Where a client program such as pg_basebackup is: beside the server binaries, or beside what they link to (a PATH
    /// folder may hold links to initdb, pg_ctl and postgres alone).
    /// </summary>
    private string ClientBinDirectory(string program)
    {
        if (File.Exists(Path.Combine(_binDirectory, program))) return _binDirectory;
        var target = new FileInfo(Path.Combine(_binDirectory, "pg_ctl")).ResolveLinkTarget(returnFinalTarget: true);
        return Path.GetDirectoryName(target?.FullName) is { } real && File.Exists(Path.Combine(real, program))
            ? real
            : throw new InvalidOperationException($"{program} was not found beside {Path.Combine(_binDirectory, "pg_ctl")}.");
    }

    /// <summary>Promotes this standby to a primary (<c>pg_ctl promote</c>); returns once it accepts writes.</summary>
    public Task PromoteAsync(CancellationToken ct = default) =>
        new Tool(_binDirectory, "pg_ctl", _runAs).RunChecked(["promote", "-D", DataDirectory, "-w", "-t", "60"], ct);

    /// <summary>
    /// Kills the postmaster with SIGKILL, as a crash would: nothing is shut down cleanly, and its backends end when they
    /// notice. For failover tests; the watchdog, if watching, restarts it.
    /// </summary>
    public void Kill()
    {
        if (PostmasterPid() is not { } pid || !IsAlive(pid)) return;
        using var postmaster = Process.GetProcessById(pid);
        postmaster.Kill(); // SIGKILL, the postmaster alone
    }

    /// <summary>
    /// Starts the watchdog: every 250 ms it checks that the postmaster recorded in postmaster.pid is alive; when it
    /// is not (killed, OOM killer, stopped by hand), it starts the server again on the same port (PostgreSQL runs crash
    /// recovery from its WAL), retrying with a growing pause (0.25 s doubling up to 30 s) while that fails, and logs each step.
    /// <paramref name="restarted"/> runs after each successful restart (the host clears its connection pools there:
    /// their connections went down with the old server). Idempotent; stopped by <see cref="StopAsync"/>.
    /// </summary>
    public void Watch(Action? restarted = null)
    {
        lock (_watchLock)
        {
            if (_watchdog is not null || _stopped == 1) return;
            _watchdog = Task.Run(() => WatchLoop(restarted, _watching.Token));
        }
    }

    private async Task WatchLoop(Action? restarted, CancellationToken ct)
    {
        var pid = PostmasterPid();
        try
        {
            while (true)
            {
                await Task.Delay(WatchInterval, ct);
                if (pid is { } p && IsAlive(p)) continue;
                // Someone may have restarted it by hand: a live postmaster of another pid is fine.
                if (PostmasterPid() is { } current && current != pid && IsAlive(current))
                {
                    pid = current;
                    continue;
                }

                var down = Stopwatch.StartNew();
                _logger?.LogError("PostgreSQL on 127.0.0.1:{Port} (postmaster pid {Pid}) has died; restarting it (crash recovery)",
                    Port, pid);
                ClearPools();
                // A killed postmaster stays a zombie until its parent (init) reaps it, and a new postmaster takes the
                // zombie's pid in postmaster.pid for a running server: wait for it to go (a few seconds at most).
                for (var waited = Stopwatch.StartNew(); pid is { } gone && Exists(gone) && waited.Elapsed < TimeSpan.FromSeconds(5);)
                    await Task.Delay(50, ct);
                var pause = TimeSpan.FromMilliseconds(250);
                for (var attempt = 1; ; attempt++)
                {
                    var (code, output) = await RestartAsync(ct);
                    if (code == 0) break;
                    _logger?.LogError("Restarting PostgreSQL on 127.0.0.1:{Port} failed (attempt {Attempt}, pg_ctl exited {Code}); " +
                                      "retrying in {Pause:0.#} s. See {Log}.\n{Output}",
                        Port, attempt, code, pause.TotalSeconds, Path.Combine(DataDirectory, "server.log"), output.Trim());
                    await Task.Delay(pause, ct);
                    pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestRestartPause.Ticks));
                }

                pid = PostmasterPid();
                Interlocked.Increment(ref _restarts);
                ClearPools();
                try { restarted?.Invoke(); }
                catch (Exception e) { _logger?.LogError(e, "After restarting PostgreSQL, clearing the connection pools failed"); }
                _logger?.LogWarning("PostgreSQL on 127.0.0.1:{Port} restarted (postmaster pid {Pid}), {Seconds:0.0} s after it died",
                    Port, pid, down.Elapsed.TotalSeconds);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping
        }
        catch (Exception e)
        {
            _logger?.LogCritical(e, "The PostgreSQL watchdog failed; PostgreSQL on 127.0.0.1:{Port} is no longer watched", Port);
        }
    }

    private async Task<(int Code, string Output)> RestartAsync(CancellationToken ct)
    {
        var log = Path.Combine(DataDirectory, "server.log");
        RotateLog(log);
        var pgCtl = new Tool(_binDirectory, "pg_ctl", _runAs);
        try
        {
            return await pgCtl.Run(["start", "-D", DataDirectory, "-l", log, "-w", "-t", "60", "-o", ServerOptions(Port, _durable)], ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (-1, e.Message);
        }
    }

    /// <summary>The postmaster's pid, from the first line of postmaster.pid; null when there is none.</summary>
    private int? PostmasterPid()
    {
        try
        {
            return int.TryParse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).FirstOrDefault(), out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether the process table still holds <paramref name="pid"/>, zombie or not.</summary>
    private static bool Exists(int pid) =>
        Directory.Exists("/proc/self") ? Directory.Exists($"/proc/{pid}") : IsAlive(pid);

    /// <summary>Whether a process runs under <paramref name="pid"/>; a zombie (dead, not yet reaped) counts as gone.</summary>
    private static bool IsAlive(int pid)
    {
        if (Directory.Exists("/proc/self"))
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var state = stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault();
                return state is not ('Z' or 'X' or 'x');
            }
            catch (IOException) { return false; }
            catch (UnauthorizedAccessException) { return true; }
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

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
        public async Task RunChecked(string[] args, CancellationToken ct, IReadOnlyDictionary<string, string>? environment = null)
        {
            var (code, output) = await Run(args, ct, environment);
            if (code != 0) throw new InvalidOperationException($"{Describe(args)} exited {code}:\n{output.Trim()}");
        }

        public async Task<(int Code, string Output)> Run(string[] args, CancellationToken ct,
            IReadOnlyDictionary<string, string>? environment = null)
        {
            var start = RunAs is null
                ? new ProcessStartInfo(Path.Combine(Bin, Name))
                : new ProcessStartInfo(Runuser()) { ArgumentList = { "-u", RunAs, "--", Path.Combine(Bin, Name) } };
            foreach (var arg in args) start.ArgumentList.Add(arg);
            foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value; // runuser passes it on
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

    /// <summary>The method field of a pg_hba.conf line that says trust.</summary>
    [GeneratedRegex(@"(?<=\s)trust(?=\s|$)")]
    private static partial Regex TrustMethod();
}

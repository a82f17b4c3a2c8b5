using System.Diagnostics;
using System.Globalization;
using System.Text;
using CityCase.Api.Auth;
using CityCase.Api.Hosting;
using CityCase.Api.LocalPostgres;
using CityCase.Benchmarks;
using CityCase.Domain.Reference;
using CityCase.Domain.Time;
using CityCase.Simulation;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;
using Npgsql;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = Options.Parse(args);
var repository = Options.RepositoryRoot();
var district = ReferenceData.Parse(ReferenceData.FileNames
    .ToDictionary(f => f, f => File.ReadAllText(Path.Combine(repository, "samples", "reference", f))));
var tokens = new Tokens();

if (options.Verb == "play")
{
    // Plays a simulated day against a running server (see samples/CityCase.Simulation/README.md): the fuller day with
    // every path of the loop, or with --classic the load benchmark's day where every case goes from report to close.
    using var http = new HttpClient { BaseAddress = new Uri(options.Url) };
    var player = new CityCaseClient(http, tokens.For) { SensorTag = $"play{DateTime.UtcNow:yyyyMMddHHmmss}-" };
    var simulated = new SimulatedDay(district, options.Seed);
    var journeys = options.Classic ? simulated.Journeys(options.Cases).ToList() : simulated.FullDay(options.Cases);
    var clock = Stopwatch.StartNew();
    var day = await player.PlayDayAsync(journeys, played: n => { if (n % 20 == 0) Console.WriteLine($"{n} cases played"); });
    Console.WriteLine($"Played {journeys.Count} cases ({(options.Classic ? "the classic day" : "the fuller day")}, seed {options.Seed}) " +
                      $"against {options.Url} in {clock.Elapsed.TotalSeconds:F1} s, {day.Mutations.Values.Sum()} calls");
    Console.WriteLine("Answers per status the case was left in: " + string.Join(", ",
        Enum.GetValues<CityCase.Domain.Cases.CaseStatus>().Select(s => $"{s} {day.StatusesSeen.GetValueOrDefault(s)}")));
    Console.WriteLine($"Sensor repeats folded into their case: {day.FoldedRepeats}");
    Console.WriteLine("Calls: " + string.Join(", ", day.Mutations.OrderByDescending(m => m.Value).Select(m => $"{m.Key} {m.Value}")));
    if (!options.Classic)
        Console.WriteLine("Paths: " + string.Join(", ", Enum.GetValues<DayPath>()
            .Select(p => $"{p} {journeys.Count(j => j.Paths.Contains(p))}")));
    return 0;
}

if (options.Verb == "seed")
{
    // Seeds a year into a local cluster that the server and the rebuild verb then use as their own (run them from the
    // same directory), with its read models rebuilt: for profiling one stage at a time.
    var seedData = Path.GetFullPath(Path.Combine(".citycase", "pgdata"));
    await using var seedCluster = await LocalPostgresCluster.StartAsync(seedData, durable: true);
    await seedCluster.CreateDatabaseAsync("citycase");
    var seedConnection = seedCluster.ConnectionString("citycase");
    await using var seedEngine = await CityCaseApp.BuildAsync(["--environment", "Development", "--ConnectionStrings:Marten",
        seedConnection, "--Logging:LogLevel:Default", "Warning"]);
    var seedStore = seedEngine.Services.GetRequiredService<IDocumentStore>();
    await seedStore.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    await seedEngine.Services.GetRequiredService<CityCase.Engine.Audit.AuditChain>().InstallAsync(CancellationToken.None);
    var seededOnly = await Seed.RunAsync(seedStore, seedConnection, new DirectCases(seedStore, district, seedEngine.Services.GetRequiredService<SlaPolicy>(),
            seedEngine.Services.GetRequiredService<CityCase.Engine.Privacy.CitizenVault>()),
        new SimulatedDay(district, seed: 7).Journeys(options.SeedCases), options.SeedCases);
    Console.WriteLine($"Seeded {seededOnly.Cases:N0} cases, {seededOnly.Events:N0} events into {seedData}; rebuilding the read models...");
    var rebuilt = await Rebuild(Path.Combine(repository, "src", "CityCase.Api", "bin", "Release", "net10.0", "CityCase.Api.dll"), seedConnection);
    Console.WriteLine(rebuilt.LastLine);
    return 0;
}

if (options.Verb == "queries")
{
    // The query figures (5, 6) alone, on the cluster the seed verb left in this directory: for working on a read.
    var seedData = Path.GetFullPath(Path.Combine(".citycase", "pgdata"));
    await using var seedCluster = await LocalPostgresCluster.StartAsync(seedData, durable: true);
    var seedConnection = seedCluster.ConnectionString("citycase");
    var apiDll = Path.Combine(repository, "src", "CityCase.Api", "bin", "Release", "net10.0", "CityCase.Api.dll");
    await using var queryServer = new ServerProcess(apiDll, seedConnection, 5200 + Environment.ProcessId % 500, QueryServerSettings());
    await queryServer.WaitUntilReady(TimeSpan.FromSeconds(120));
    Console.WriteLine($"the server settled after {(await queryServer.WaitUntilIdle(TimeSpan.FromMinutes(3))).TotalSeconds:F0} s");
    using var queryHttp = new HttpClient { BaseAddress = queryServer.BaseAddress };
    var storedCases = await Scalar<long>(seedConnection, "select count(*) from citycase.mt_doc_caseview");
    var queryReport = new Report(options);
    queryReport.Machine(await Scalar<string>(seedConnection, "show server_version"));
    queryReport.Queries(storedCases, await Queries.MeasureAsync(seedConnection, new CityCaseClient(queryHttp, tokens.For), tokens, options.QuerySamples));
    queryReport.QueryMemory(storedCases, queryServer.PeakResidentMiB);
    // A month, then every case: the server's memory must not grow with the rows.
    queryReport.Export(await Queries.MeasureExportAsync(queryHttp, tokens, queryServer, "?reportedFrom=2026-10-31T16:00:00Z&reportedTo=2026-11-30T16:00:00Z"));
    queryReport.Export(await Queries.MeasureExportAsync(queryHttp, tokens, queryServer));
    Console.WriteLine(queryReport.ToMarkdown());
    return 0;
}

if (options.Verb == "rebuild")
{
    // The rebuild figure alone, on the cluster the seed verb left in this directory (seeded first if empty):
    // a plain sequential read of the events beside the rebuild verb, for iterating on the rebuild.
    var seedData = Path.GetFullPath(Path.Combine(".citycase", "pgdata"));
    await using var seedCluster = await LocalPostgresCluster.StartAsync(seedData, durable: true);
    await seedCluster.CreateDatabaseAsync("citycase");
    var seedConnection = seedCluster.ConnectionString("citycase");
    var apiDll = Path.Combine(repository, "src", "CityCase.Api", "bin", "Release", "net10.0", "CityCase.Api.dll");
    var read = await SequentialRead(seedConnection);
    var rebuild = await Rebuild(apiDll, seedConnection);
    var rebuildReport = new Report(options);
    rebuildReport.Machine(await Scalar<string>(seedConnection, "show server_version"));
    rebuildReport.Rebuild(read.Rows, read, rebuild);
    Console.WriteLine(rebuildReport.ToMarkdown());
    return 0;
}

var report = new Report(options);
var apiAssembly = Path.Combine(repository, "src", "CityCase.Api", "bin", "Release", "net10.0", "CityCase.Api.dll");
if (!File.Exists(apiAssembly))
    throw new InvalidOperationException($"{apiAssembly} is missing: run `dotnet build -c Release src/CityCase.Api` (the documented command does).");
var benchPort = 5200 + Environment.ProcessId % 500;
var arrivals = new SimulatedDay(district).Journeys(20_000).Select(j => j.Arrival).ToArray();

async Task<FailoverResult> MeasureFailover()
{
    Console.WriteLine("7. Standby failover: a primary and its synchronous standby, the primary killed under full intake...");
    var failover = await Failover.MeasureAsync(apiAssembly, benchPort, options.Clients, arrivals, http => new CityCaseClient(http, tokens.For));
    Console.WriteLine($"   writes succeed again {failover.WritesBack.TotalSeconds:F1} s after the kill; {failover.Acknowledged - failover.Lost} of {failover.Acknowledged} acknowledged cases kept");
    return failover;
}

if (options.Verb == "failover")
{
    // The failover figure alone (about a minute): its own pair of clusters, nothing else.
    var failover = await MeasureFailover();
    report.Machine(failover.ServerVersion);
    report.Failover(failover);
    Console.WriteLine();
    Console.WriteLine(report.ToMarkdown());
    return 0;
}

async Task<TimekeeperResult> MeasureTimekeeper(string connectionString)
{
    Console.WriteLine("8. Timekeeper: one pass with 1,000 running cases, then with 10,000 suspended overdue cases added...");
    var result = await Timekeeper.MeasureAsync(connectionString, district);
    Console.WriteLine($"   median pass {Load.Percentile(result.Without.PassMs, 50):F2} ms without, {Load.Percentile(result.With.PassMs, 50):F2} ms with them");
    return result;
}

async Task<StormResult> MeasureStorm(LocalPostgresCluster on)
{
    Console.WriteLine($"9. Sensor storm: {options.StormRate:N0} alarms/s for {options.StormSeconds} s over MQTT (Mosquitto) to {options.StormSensors:N0} sensors, 90 % repeats of open cases, 10 % new...");
    await on.CreateDatabaseAsync("storm"); // a database of its own, so that its counts are the storm's alone
    var storm = await Storm.MeasureAsync(apiAssembly, on.ConnectionString("storm"), benchPort + 2, options.StormSensors, options.StormRate,
        options.StormSeconds, serverExtra: options.ServerExtra ?? []);
    Console.WriteLine($"   {storm.Accepted:N0} of {storm.Offered:N0} received; p99 {Load.Percentile(storm.AcceptMs, 99):F0} ms; " +
                      $"{storm.CasesCreated:N0}/{storm.CasesExpected:N0} cases, {storm.RepeatsFolded:N0}/{storm.RepeatsExpected:N0} repeats; " +
                      $"lag under 500 ms {storm.LagUnder500?.TotalSeconds:F1} s after; peak {storm.PeakResidentMiB:F0} MiB");
    return storm;
}

if (options.Verb == "storm")
{
    // The sensor storm alone (about 3 minutes): a private cluster of its own.
    var stormDirectory = Path.Combine(Path.GetTempPath(), $"citycase-storm-{Environment.ProcessId}");
    await using var stormCluster = await LocalPostgresCluster.StartAsync(stormDirectory, durable: true);
    try
    {
        report.Machine(await Scalar<string>(stormCluster.ConnectionString(), "show server_version"));
        report.Storm(await MeasureStorm(stormCluster));
        Console.WriteLine();
        Console.WriteLine(report.ToMarkdown());
        return 0;
    }
    finally
    {
        await stormCluster.StopAsync();
        try { Directory.Delete(stormDirectory, recursive: true); } catch (IOException) { }
    }
}

var dataDirectory = Path.Combine(Path.GetTempPath(), $"citycase-bench-{Environment.ProcessId}");
await using var cluster = await LocalPostgresCluster.StartAsync(dataDirectory, durable: true);
try
{
    await cluster.CreateDatabaseAsync("citycase");
    var connectionString = cluster.ConnectionString("citycase");
    report.Machine(await Scalar<string>(connectionString, "show server_version"));
    if (options.Verb == "timekeeper")
    {
        // The timekeeper's figure alone (about a minute): its own database, no server process.
        report.Timekeeper(await MeasureTimekeeper(connectionString));
        Console.WriteLine();
        Console.WriteLine(report.ToMarkdown());
        return 0;
    }
    if (options.Verb == "intake-profile")
    {
        // Where the bare append's time goes (about three minutes): its own database, variants side by side.
        Console.WriteLine("Intake profile: the bare append loop with the audit trigger and the key document on and off...");
        report.IntakeProfile(await IntakeProfile.MeasureAsync(connectionString, apiAssembly, benchPort, district, options.Clients,
            TimeSpan.FromSeconds(options.Quick ? 3 : 8)));
        Console.WriteLine();
        Console.WriteLine(report.ToMarkdown());
        return 0;
    }
    var clients = options.Clients;
    var seconds = TimeSpan.FromSeconds(options.Seconds);
    var port = benchPort;

    var server = new ServerProcess(apiAssembly, connectionString, port);
    await server.WaitUntilReady(TimeSpan.FromSeconds(90));
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = server.BaseAddress };
    var client = new CityCaseClient(http, tokens.For);
    var day = new SimulatedDay(district).Journeys(200_000).ToArray();

    // The engine's own store, without starting its host: the baseline appends through it directly.
    var engine = await CityCaseApp.BuildAsync(["--environment", "Development", "--ConnectionStrings:Marten", connectionString,
        "--Logging:LogLevel:Default", "Warning"]);
    var store = engine.Services.GetRequiredService<IDocumentStore>();
    var direct = new DirectCases(store, district, engine.Services.GetRequiredService<SlaPolicy>(),
        engine.Services.GetRequiredService<CityCase.Engine.Privacy.CitizenVault>());
    var clock = engine.Services.GetRequiredService<IClock>();

    // 1. Intake over HTTP GraphQL, after a warm-up, with the server's peak memory.
    Console.WriteLine($"Warming up ({clients} clients)...");
    await Load.ClosedLoop(clients, TimeSpan.FromSeconds(options.Quick ? 2 : 8), n => client.ReportAsync(day[n % day.Length].Arrival));
    await Load.ClosedLoop(clients, TimeSpan.FromSeconds(options.Quick ? 1 : 4), n => client.PlayJourneyAsync(day[(n + 7) % day.Length]));
    Console.WriteLine("1. Intake: reportComplaint / reportPatrolFinding over HTTP GraphQL...");
    var intake = await Load.ClosedLoop(clients, seconds, n => client.ReportAsync(day[n % day.Length].Arrival));
    var peakMiB = server.PeakResidentMiB;
    Console.WriteLine("   pgbench, single-row insert, same clients...");
    var pgbench = await Pgbench(cluster, clients, options.Seconds);
    Console.WriteLine("   bare Marten append loop, same clients...");
    var bare = await Load.ClosedLoop(clients, seconds, n => direct.ReportAsync(day[n % day.Length].Arrival, clock.GetCurrentInstant()));
    report.Intake(intake, pgbench, bare, peakMiB, clients);
    Console.WriteLine("   the same on two nodes: a second server process on the same database, clients split between them...");
    report.TwoNodeIntake(intake, await TwoNodeIntake(new ServerProcess(apiAssembly, connectionString, port + 1), client, clients,
        seconds, options.Quick, (c, n) => c.ReportAsync(day[n % day.Length].Arrival)));

    // 2. The whole loop, report to close, against the same loop appended directly.
    Console.WriteLine("2. Whole loop, report to close...");
    var loop = await Load.ClosedLoop(clients, seconds, n => client.PlayJourneyAsync(day[(n + 11) % day.Length]));
    var bareLoop = await Load.ClosedLoop(clients, seconds, n => direct.PlayJourneyAsync(day[(n + 13) % day.Length], clock.GetCurrentInstant()));
    var eventsPerCase = day.Take(1000).Average(j => direct.Decide(j, clock.GetCurrentInstant(), j.Steps.Count).Events.Count);
    report.WholeLoop(loop, bareLoop, eventsPerCase);

    // 3. Projection lag at half the intake rate.
    Console.WriteLine("3. Projection lag at half the maximum intake rate...");
    report.Lag(await Lag.MeasureAsync(connectionString, client, day, intake.PerSecond / 2, seconds));

    // 4. A year of cases loaded by COPY, then every read model rebuilt from them, beside a sequential read of the event table.
    await server.DisposeAsync();
    Console.WriteLine($"4. Seeding {options.SeedCases:N0} cases of the year to November 2026 (the server is stopped)...");
    var seeded = await Seed.RunAsync(store, connectionString, direct, new SimulatedDay(district, seed: 7).Journeys(options.SeedCases), options.SeedCases);
    await engine.DisposeAsync();
    var events = await Scalar<long>(connectionString, "select count(*) from citycase.mt_events");
    Console.WriteLine($"   {seeded.Cases:N0} cases, {seeded.Events:N0} events seeded at {seeded.Events / seeded.Elapsed.TotalSeconds:N0} events/s; the store holds {events:N0} events");
    var read = await SequentialRead(connectionString);
    Console.WriteLine($"   sequential read: {read.Rows:N0} events in {read.Elapsed.TotalSeconds:F1} s; rebuilding...");
    var rebuild = await Rebuild(apiAssembly, connectionString);
    report.Rebuild(events, read, rebuild);
    var cases = await Scalar<long>(connectionString, "select count(*) from citycase.mt_doc_caseview"); // the city's calendar stream is no case

    // 5. Query latency with the seeded cases stored; 6 is reported with 1.
    Console.WriteLine("5. Query latency...");
    // The seeded month's timers all fell due while no server ran; the timekeeper would spend minutes
    // recording their lights (as it should), so the queries are measured with it paused.
    server = new ServerProcess(apiAssembly, connectionString, port, QueryServerSettings());
    await server.WaitUntilReady(TimeSpan.FromSeconds(90));
    Console.WriteLine($"   the server settled after {(await server.WaitUntilIdle(TimeSpan.FromMinutes(3))).TotalSeconds:F0} s");
    report.Queries(cases, await Queries.MeasureAsync(connectionString, client, tokens, options.QuerySamples));
    report.QueryMemory(cases, server.PeakResidentMiB);
    await server.DisposeAsync();

    // 7. Failover, on a pair of clusters of its own.
    report.Failover(await MeasureFailover());

    // 8. The timekeeper with suspended cases, in a database of its own on the same cluster.
    await cluster.CreateDatabaseAsync("timekeeper");
    report.Timekeeper(await MeasureTimekeeper(cluster.ConnectionString("timekeeper")));

    // 9. The sensor storm, over MQTT, on a database of its own in the same cluster.
    report.Storm(await MeasureStorm(cluster));

    var table = report.ToMarkdown();
    Console.WriteLine();
    Console.WriteLine(table);
    var resultsFile = Path.Combine(repository, "tests", "CityCase.Benchmarks", options.Quick ? "results-quick.md" : "results.md");
    await File.WriteAllTextAsync(resultsFile, table);
    Console.WriteLine($"Written to {resultsFile}");
    return 0;
}
finally
{
    await cluster.StopAsync();
    try { Directory.Delete(dataDirectory, recursive: true); } catch (IOException) { }
}

// Half the clients on each node; both nodes run the same code and settings, as a city's would.
static async Task<LoadResult> TwoNodeIntake(ServerProcess second, CityCaseClient first, int clients, TimeSpan duration, bool quick,
    Func<CityCaseClient, int, Task> operation)
{
    await using (second)
    {
        await second.WaitUntilReady(TimeSpan.FromSeconds(90));
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = second.BaseAddress };
        var other = new CityCaseClient(http, new Tokens().For);
        CityCaseClient NodeOf(int n) => n / 1_000_000 % 2 == 0 ? first : other; // the load's client number picks the node
        await Load.ClosedLoop(clients, TimeSpan.FromSeconds(quick ? 2 : 8), n => operation(NodeOf(n), n));
        return await Load.ClosedLoop(clients, duration, n => operation(NodeOf(n), n));
    }
}

// For the query figures, the timekeeper is paused (the seeded year's timers all fell due while no server ran) and
// the audit anchor is on demand only: its daily pass re-hashes every event (minutes over ten million, and the seeded
// cases are unchained), a nightly job that would otherwise be measured instead of the reads.
static string[] QueryServerSettings() => ["--Sla:PollSeconds", "0", "--City:Audit:AnchorInterval", "00:00:00"];

static async Task<T> Scalar<T>(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    return (T)(await new NpgsqlCommand(sql, connection).ExecuteScalarAsync())!;
}

// pgbench with a one-row insert per transaction: PostgreSQL's own rate on this machine, same clients.
static async Task<double> Pgbench(LocalPostgresCluster cluster, int clients, int seconds)
{
    var script = Path.Combine(Path.GetTempPath(), $"citycase-pgbench-{Environment.ProcessId}.sql");
    await File.WriteAllTextAsync(script, "insert into pgbench_cases (data) values ('{\"description\": \"Street lamp out\", \"category\": \"0105\"}');\n");
    await using (var connection = new NpgsqlConnection(cluster.ConnectionString("citycase")))
    {
        await connection.OpenAsync();
        await new NpgsqlCommand("create table if not exists pgbench_cases (id bigserial primary key, data jsonb not null)", connection).ExecuteNonQueryAsync();
    }
    // pgbench sits beside the server binaries (Debian: /usr/lib/postgresql/N/bin), not always on PATH.
    var pgbench = new[] { LocalPostgresCluster.FindBinDirectory() }
        .Concat(Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").Order().Reverse().Select(d => Path.Combine(d, "bin")) : [])
        .Select(d => Path.Combine(d, "pgbench")).FirstOrDefault(File.Exists) ?? "pgbench";
    var start = new ProcessStartInfo(pgbench)
        { RedirectStandardOutput = true, RedirectStandardError = true };
    // The private cluster asks for its password (kept in its data directory).
    start.Environment["PGPASSWORD"] = new NpgsqlConnectionStringBuilder(cluster.ConnectionString()).Password;
    foreach (var a in (string[])["-n", "-h", "127.0.0.1", "-p", cluster.Port.ToString(), "-U", "postgres", "-c", clients.ToString(),
                 "-j", "2", "-T", seconds.ToString(), "-f", script, "citycase"])
        start.ArgumentList.Add(a);
    using var process = Process.Start(start)!;
    var output = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    var tps = output.Split('\n').FirstOrDefault(l => l.StartsWith("tps = "))
              ?? throw new InvalidOperationException("pgbench said:\n" + output + await process.StandardError.ReadToEndAsync());
    return double.Parse(tps.Split(' ')[2], CultureInfo.InvariantCulture);
}

static async Task<(long Rows, long Bytes, TimeSpan Elapsed)> SequentialRead(string connectionString)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    var clock = Stopwatch.StartNew();
    await using var reader = await new NpgsqlCommand("select seq_id, type, data::text from citycase.mt_events order by seq_id", connection)
        .ExecuteReaderAsync();
    long rows = 0, bytes = 0;
    while (await reader.ReadAsync()) { rows++; bytes += reader.GetString(2).Length; }
    return (rows, bytes, clock.Elapsed);
}

static async Task<(TimeSpan Elapsed, string LastLine)> Rebuild(string apiAssembly, string connectionString)
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in (string[])[apiAssembly, "rebuild", "--environment", "Development", "--ConnectionStrings:Marten", connectionString])
        start.ArgumentList.Add(a);
    var clock = Stopwatch.StartNew();
    using var process = Process.Start(start)!;
    var output = new StringBuilder();
    process.OutputDataReceived += (_, e) => { if (e.Data is { } line) { output.AppendLine(line); Console.WriteLine("   | " + line); } };
    process.BeginOutputReadLine();
    var errors = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0) throw new InvalidOperationException("rebuild failed:\n" + output + await errors);
    return (clock.Elapsed, output.ToString().Trim().Split('\n')[^1]);
}

/// <summary>Development tokens for each role, signed with the server's development key.</summary>
sealed class Tokens
{
    private readonly AuthSettings _settings = AuthSettings.From(new ConfigurationBuilder().Build(),
        new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = Environments.Development });
    private readonly System.Collections.Concurrent.ConcurrentDictionary<StepActor, string> _tokens = new();

    public string For(StepActor actor) => _tokens.GetOrAdd(actor, a =>
        JwtAuthentication.MintToken(_settings, $"bench-{a.Role}{a.Department}", a.Role, $"Bench {a.Role}", a.Department, TimeSpan.FromHours(12)));
}

using System.Diagnostics;
using CityCase.Api.Hosting;
using CityCase.Domain.Cases;
using CityCase.Domain.Reference;
using CityCase.Domain.Time;
using CityCase.Engine.Audit;
using CityCase.Engine.Privacy;
using CityCase.Simulation;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;

namespace CityCase.Benchmarks;

/// <summary>One variant of the bare append loop: what was on, its rate, and the audit trigger's own time per event.</summary>
public sealed record IntakeVariant(string Name, LoadResult Load, long TriggerCalls, double TriggerMsPerEvent);

public sealed record IntakeProfileResult(IReadOnlyList<IntakeVariant> Variants, double DecideMicros, double SealMicros, double EventsPerCase);

/// <summary>
/// Where the bare Marten intake's time goes: the same append loop as the benchmark's baseline (DirectCases: decide,
/// seal the citizen, append the report's events with the inline projections, insert the citizen's key), on a database
/// of its own, with the audit chain's trigger enabled (its link as now, or as before the fix) or disabled and the key
/// document inserted or not, each variant twice in mirrored order (A B C D E E D C B A) so that a drift of the shared
/// machine's load falls on all alike. PostgreSQL counts the trigger function's own time (track_functions); the pool is
/// cleared after each run, so that every backend reports its counts before they are read. Then the trigger before and
/// after the fix with one client (no contention of its own), the loop with a server process beside it, its projection
/// daemon (scorecards and the live feed's doorbell) off or on, as the benchmark runs it; and the in-process cost of
/// deciding a report and of sealing a citizen, one thread.
/// </summary>
public static class IntakeProfile
{
    public static async Task<IntakeProfileResult> MeasureAsync(string connectionString, string apiAssembly, int port, ReferenceData district,
        int clients, TimeSpan duration)
    {
        await using var engine = await CityCaseApp.BuildAsync(["--environment", "Development", "--ConnectionStrings:Marten", connectionString,
            "--Logging:LogLevel:Default", "Warning"]);
        var store = engine.Services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await engine.Services.GetRequiredService<AuditChain>().InstallAsync(CancellationToken.None);
        var sla = engine.Services.GetRequiredService<SlaPolicy>();
        var vault = engine.Services.GetRequiredService<CitizenVault>();
        var direct = new DirectCases(store, district, sla, vault);
        var clock = engine.Services.GetRequiredService<IClock>();
        var day = new SimulatedDay(district, seed: 3).Journeys(50_000).Select(j => j.Arrival).ToArray();
        await ExecuteAsync(connectionString, "alter system set track_functions = 'pl'; select pg_reload_conf()");

        async Task Report(int n, bool withKey)
        {
            var id = Guid.CreateVersion7();
            await using var session = store.LightweightSession();
            var (events, key) = direct.Report(id, day[n % day.Length], clock.GetCurrentInstant());
            session.Events.StartStream<Case>(id, events);
            if (withKey && key is not null) session.Insert(key);
            await session.SaveChangesAsync();
        }

        var schema = store.Options.Events.DatabaseSchemaName;
        var pool = engine.Services.GetRequiredService<NpgsqlDataSource>();
        async Task<IntakeVariant> Run(string name, bool trigger, bool withKey, bool linkAsBefore = false, int runClients = 0)
        {
            await ExecuteAsync(connectionString, $"alter table {schema}.mt_events {(trigger ? "enable" : "disable")} trigger cc_chain_event");
            // The link's field function as declared before the fix (immutable, so never inlined) or as now (stable).
            await ExecuteAsync(connectionString, $"alter function {schema}.cc_audit_field(text) {(linkAsBefore ? "immutable" : "stable")}");
            var before = await TriggerStatsAsync(connectionString);
            var load = await Load.ClosedLoop(runClients > 0 ? runClients : clients, duration, n => Report(n, withKey));
            pool.Clear(); // idle backends end, and a backend reports its function counts when it ends
            await Task.Delay(500);
            var after = await TriggerStatsAsync(connectionString);
            var calls = trigger ? after.Calls - before.Calls : 0; // a disabled trigger has nothing to report
            Console.WriteLine($"   {name}: {load.PerSecond:F0} cases/s, p99 {load.Percentile(99):F1} ms" +
                              (calls > 0 ? $"; trigger {calls:N0} calls, {(after.TotalMs - before.TotalMs) / calls:F3} ms per event" : ""));
            return new IntakeVariant(name, load, calls, calls > 0 ? (after.TotalMs - before.TotalMs) / calls : 0);
        }

        Console.WriteLine("   warming up...");
        await Load.ClosedLoop(clients, TimeSpan.FromSeconds(4), n => Report(n, true));
        (string Name, bool Trigger, bool Key, bool LinkAsBefore)[] plain =
        [
            ("trigger on as before the fix (cc_audit_field immutable), key document", true, true, true),
            ("trigger on, key document", true, true, false), ("trigger off, key document", false, true, false),
            ("trigger on, no key document", true, false, false), ("trigger off, no key document", false, false, false),
        ];
        var variants = new List<IntakeVariant>();
        foreach (var (name, trigger, key, linkAsBefore) in plain.Concat(plain.Reverse()))
            variants.Add(await Run(name, trigger, key, linkAsBefore));

        // The trigger's own time per event without contention of the loop's own: one client.
        foreach (var linkAsBefore in (bool[])[true, false, false, true])
            variants.Add(await Run($"one client, trigger on {(linkAsBefore ? "as before the fix" : "as now")}, key document", true, true, linkAsBefore, 1));

        // As the benchmark runs its baseline: the server process is up on the same database (trigger on, key document).
        foreach (var daemon in (string[])["Disabled", "HotCold", "HotCold", "Disabled"])
        {
            await using var server = new ServerProcess(apiAssembly, connectionString, port, "--City:ProjectionDaemon", daemon);
            await server.WaitUntilReady(TimeSpan.FromSeconds(90));
            await Task.Delay(TimeSpan.FromSeconds(3)); // past start-up's own work
            variants.Add(await Run($"trigger on, key document, a server process beside with its daemon {daemon}", true, true));
        }

        // In process, one thread: deciding a report (with sealing) and sealing alone.
        var now = clock.GetCurrentInstant();
        for (var i = 0; i < 2_000; i++) direct.Report(Guid.CreateVersion7(), day[i], now);
        var watch = Stopwatch.StartNew();
        const int decisions = 20_000;
        long events = 0;
        for (var i = 0; i < decisions; i++) events += direct.Report(Guid.CreateVersion7(), day[i % day.Length], now).Events.Count;
        var decideMicros = watch.Elapsed.TotalMicroseconds / decisions;
        var citizens = day.Where(a => a.Citizen is not null).Select(a => a.Citizen!).Take(1_000).ToArray();
        watch.Restart();
        for (var i = 0; i < decisions; i++) vault.Seal(Guid.CreateVersion7(), citizens[i % citizens.Length]);
        var sealMicros = watch.Elapsed.TotalMicroseconds / decisions;
        return new IntakeProfileResult(variants, decideMicros, sealMicros, (double)events / decisions);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync();
    }

    private static async Task<(long Calls, double TotalMs)> TriggerStatsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var reader = await new NpgsqlCommand(
            "select coalesce(sum(calls), 0)::bigint, coalesce(sum(total_time), 0)::float8 from pg_stat_user_functions where funcname = 'cc_chain_event'",
            connection).ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetDouble(1));
    }
}

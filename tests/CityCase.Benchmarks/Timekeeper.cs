using System.Diagnostics;
using System.Text.Json;
using CityCase.Api.Hosting;
using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Reference;
using CityCase.Domain.Time;
using CityCase.Engine.Privacy;
using CityCase.Engine.Sla;
using CityCase.Simulation;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;

namespace CityCase.Benchmarks;

/// <summary>The due query's plan as PostgreSQL ran it: rows, buffers touched, time, and the scans it chose.</summary>
public sealed record DuePlan(long Rows, long Buffers, double ExecutionMs, string Scans);

/// <summary>One phase: the timekeeper's pass times (ms, in order) and its due query's plan.</summary>
public sealed record TimekeeperPhase(int Suspended, double[] PassMs, DuePlan Plan);

public sealed record TimekeeperResult(int Running, TimekeeperPhase Without, TimekeeperPhase With, DuePlan OldRuleWith, double[] OldRuleFetchMs,
    TimeSpan Seeding);

/// <summary>
/// What suspended cases cost the SLA timekeeper (issue 14): one pass (<see cref="SlaTimekeeper.RunOnceAsync"/>, its due
/// query and hand-off) timed over many passes, and the due query's EXPLAIN (ANALYZE, BUFFERS), first with only running
/// cases whose clocks are not due, then again after 10,000 suspended cases whose dispatch clocks were already overdue
/// when they were suspended are appended in bulk. Their timers are paused, so the pass should cost the same. For
/// contrast, the same plan with the rule as it was before pausing (no pause in it): the rows every pass used to fetch.
/// </summary>
public static class Timekeeper
{
    public static async Task<TimekeeperResult> MeasureAsync(string connectionString, ReferenceData district, int running = 1_000,
        int suspended = 10_000, int passes = 500)
    {
        await using var engine = await CityCaseApp.BuildAsync(["--environment", "Development", "--ConnectionStrings:Marten", connectionString,
            "--Logging:LogLevel:Default", "Warning"]);
        var store = engine.Services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        // The partial indexes' predicates as PostgreSQL prints them back must match ours, or every start would rebuild them.
        await store.Storage.Database.AssertDatabaseMatchesConfigurationAsync();
        var sla = engine.Services.GetRequiredService<SlaPolicy>();
        var direct = new DirectCases(store, district, sla, engine.Services.GetRequiredService<CitizenVault>());
        var timekeeper = engine.Services.GetRequiredService<SlaTimekeeper>();
        var clock = engine.Services.GetRequiredService<IClock>();
        var complaints = new SimulatedDay(district, seed: 5).Journeys(4 * (running + suspended))
            .Select(j => j.Arrival).Where(a => a.Source != CaseSource.Patrol).ToList();

        // Open cases reported now: their clocks run and none is due for the next 24 working minutes.
        var now = clock.GetCurrentInstant();
        await AppendAsync(store, connectionString, complaints.Take(running).Select(a => direct.Report(Guid.CreateVersion7(), a, now)));
        var without = new TimekeeperPhase(0, await PassesAsync(timekeeper, passes), await ExplainAsync(store, connectionString, DueSlaTimers.Where));

        // Reported and accepted on Tuesday 2026-11-24 at 09:00 in Shanghai (dispatch due at 09:30), suspended at 15:00:
        // each dispatch clock is overdue with no light recorded, the case paused.
        var shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
        var reported = new LocalDateTime(2026, 11, 24, 9, 0).InZoneStrictly(shanghai).ToInstant();
        var suspendedAt = reported + Duration.FromHours(6);
        var dispatcher = new Actor("bench-dispatcher", "Bench dispatcher", Roles.Dispatcher);
        var seeding = Stopwatch.StartNew();
        await AppendAsync(store, connectionString, complaints.Skip(running).Take(suspended).Select(a =>
        {
            var (events, key) = direct.Report(Guid.CreateVersion7(), a, reported);
            var all = events.ToList();
            var state = Case.From(all);
            foreach (var (command, at) in new (CaseCommand, Instant)[]
                     { (new AcceptCase(a.CategoryCode, Urgency.Normal, null), reported), (new SuspendCase("Waiting for the works"), suspendedAt) })
            {
                var next = CaseDecider.DecideAndFollow(state, command, dispatcher, at, district, sla);
                all.AddRange(next);
                foreach (var e in next) state = state.After(e);
            }
            if (!state.Suspended) throw new InvalidOperationException("the seeded case is not suspended");
            return ((IReadOnlyList<object>)all, key);
        }));
        seeding.Stop();
        var with = new TimekeeperPhase(suspended, await PassesAsync(timekeeper, passes), await ExplainAsync(store, connectionString, DueSlaTimers.Where));
        // The rule before timers slept: the same light rule without the pause; and what fetching its rows cost each pass
        // (before handing them all to the queue again every 30 s, where each decided nothing).
        const string oldWhere =
            "where ((data ->> 'recorded') = 'Green' and (data ->> 'yellowAtMs')::bigint <= ?) or ((data ->> 'recorded') <> 'Red' and (data ->> 'deadlineMs')::bigint < ?)";
        var oldRule = await ExplainAsync(store, connectionString, oldWhere);
        var oldFetch = new double[20];
        for (var i = 0; i < oldFetch.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var nowMs = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
            await using var session = store.QuerySession();
            await session.QueryAsync<SlaTimer>(oldWhere, CancellationToken.None, nowMs, nowMs);
            oldFetch[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return new TimekeeperResult(running, without, with, oldRule, oldFetch, seeding.Elapsed);
    }

    /// <summary>Appends cases in batches of 500 through the engine's store, so the inline projections (timers among them) run.</summary>
    private static async Task AppendAsync(IDocumentStore store, string connectionString, IEnumerable<(IReadOnlyList<object> Events, CitizenKey? Key)> cases)
    {
        foreach (var batch in cases.Chunk(500))
        {
            await using var session = store.LightweightSession();
            foreach (var (events, key) in batch)
            {
                session.Events.StartStream<Case>(((ICaseEvent)events[0]).CaseId, events);
                if (key is not null) session.Insert(key);
            }
            await session.SaveChangesAsync();
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // Fresh statistics, as autovacuum would give, and nothing left for autovacuum to do during the passes.
        await new NpgsqlCommand("vacuum analyze", connection).ExecuteNonQueryAsync();
    }

    private static async Task<double[]> PassesAsync(SlaTimekeeper timekeeper, int passes)
    {
        // Warm-up for 3 s: connections, plans, and .NET's tiered JIT (a cold first phase would flatter the second).
        for (var warm = Stopwatch.StartNew(); warm.Elapsed < TimeSpan.FromSeconds(3);) await timekeeper.RunOnceAsync();
        var times = new double[passes];
        for (var i = 0; i < passes; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var handed = await timekeeper.RunOnceAsync();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (handed != 0) throw new InvalidOperationException($"a pass handed off {handed} lights: a timer fell due during the benchmark");
        }
        return times;
    }

    private static async Task<DuePlan> ExplainAsync(IDocumentStore store, string connectionString, string where)
    {
        var table = store.Options.Schema.For<SlaTimer>();
        var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString();
        var sql = $"explain (analyze, buffers, format json) select d.data from {table} as d {where.Replace("?", nowMs)}";
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var json = (string)(await new NpgsqlCommand(sql, connection).ExecuteScalarAsync())!;
        var top = JsonDocument.Parse(json).RootElement[0];
        var plan = top.GetProperty("Plan");
        var scans = new List<string>();
        void Walk(JsonElement node)
        {
            var type = node.GetProperty("Node Type").GetString()!;
            if (type.Contains("Scan"))
                scans.Add(node.TryGetProperty("Index Name", out var index) ? $"{type} on {index.GetString()}" : type);
            if (node.TryGetProperty("Plans", out var children))
                foreach (var child in children.EnumerateArray()) Walk(child);
        }
        Walk(plan);
        return new DuePlan(plan.GetProperty("Actual Rows").GetInt64(),
            plan.GetProperty("Shared Hit Blocks").GetInt64() + plan.GetProperty("Shared Read Blocks").GetInt64(),
            top.GetProperty("Execution Time").GetDouble(), string.Join(", ", scans));
    }
}

using System.Diagnostics;
using CityCase.Domain.Cases;
using CityCase.Simulation;
using JasperFx.Events;
using Marten;
using Npgsql;
using NodaTime;

namespace CityCase.Benchmarks;

/// <summary>
/// Fills the store with a year of cases fast: each journey's events are decided in memory by the pure decider at their
/// simulated times (a day of the year to November 2026 per case in turn) and loaded by Marten's binary COPY of events
/// (<c>BulkInsertEventsAsync</c>), with each citizen's key; the read models are then made by the <c>rebuild</c> verb,
/// which is the rebuild figure. A tenth of the cases run to the end; the rest stop in their first steps (few events each), and those
/// older than a month are then voided, so the open queues hold the last month's unfinished cases as a city's would.
/// <para>
/// The audit chain's trigger is off while loading: it hashes each event in PL/pgSQL, which would make the seeding the
/// slowest stage by far, and none of the measured reads touches the chain. The seeded cases are unchained, which the
/// benchmark's own throw-away cluster can afford.
/// </para>
/// </summary>
public static class Seed
{
    private static readonly JourneyStep VoidedOld = new(new StepActor(CityCase.Domain.Roles.Supervisor), new VoidCase("closed out by the seeding"), Duration.FromHours(2));

    public static async Task<(int Cases, long Events, TimeSpan Elapsed)> RunAsync(IDocumentStore store, string connectionString,
        DirectCases direct, IEnumerable<CaseJourney> journeys, int count)
    {
        var shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
        var lastDay = new LocalDate(2026, 11, 30);
        var random = new Random(11);
        var clock = Stopwatch.StartNew();
        long events = 0;
        var batches = journeys.Take(count).Select(j =>
        {
            var day = lastDay.PlusDays(-(j.Index % 365));
            var arrives = day.AtStartOfDayInZone(shanghai).ToInstant() + j.ArrivesAfterMidnight;
            int steps;
            lock (random) steps = random.NextDouble() < 0.1 ? j.Steps.Count : random.Next(Math.Min(3, j.Steps.Count + 1));
            // A case cut short more than a month ago is voided by a supervisor, as a city's old store holds few open cases.
            var closeOut = steps < j.Steps.Count && day < lastDay.PlusDays(-30) ? VoidedOld : null;
            return direct.Decide(j, arrives, steps, closeOut);
        }).Chunk(5_000);

        await Chain(connectionString, "disable");
        try
        {
            var done = 0;
            await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (batch, ct) =>
            {
                var streams = batch.Select(b =>
                {
                    var stream = StreamAction.Start((Marten.Events.EventGraph)store.Options.Events, b.Id, [.. b.Events]);
                    stream.AggregateType = typeof(Case);
                    return stream;
                }).ToList();
                await store.BulkInsertEventsAsync(streams, 10_000, ct);
                var keys = batch.Where(b => b.Key is not null).Select(b => b.Key!).ToList();
                if (keys.Count > 0) await store.BulkInsertAsync(keys, Weasel.Core.BulkInsertMode.InsertsOnly, 5_000, ct);
                Interlocked.Add(ref events, batch.Sum(b => b.Events.Count));
                var total = Interlocked.Add(ref done, batch.Length);
                if (total % 100_000 < batch.Length)
                    Console.WriteLine($"   {total:N0} cases, {Interlocked.Read(ref events):N0} events, {clock.Elapsed.TotalSeconds:F0} s");
            });
            return (done, events, clock.Elapsed);
        }
        finally
        {
            await Chain(connectionString, "enable");
        }
    }

    private static async Task Chain(string connectionString, string enableOrDisable)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await new NpgsqlCommand($"alter table citycase.mt_events {enableOrDisable} trigger cc_chain_event", connection).ExecuteNonQueryAsync();
    }
}

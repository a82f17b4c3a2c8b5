using System.Diagnostics;
using CityCase.Domain.Cases;
using CityCase.Simulation;
using Marten;
using NodaTime;

namespace CityCase.Benchmarks;

/// <summary>
/// Fills the store with a month of cases fast: each journey's events are decided in memory by the pure
/// decider at their simulated times (November 2026, a day per case in turn) and appended in batches
/// through the engine's store, so the inline projections (case views, SLA timers) run as usual.
/// Half the cases are closed; the rest stop somewhere along the loop, so queues are not empty.
/// </summary>
public static class Seed
{
    public static async Task<(int Cases, long Events, TimeSpan Elapsed)> RunAsync(IDocumentStore store, DirectCases direct,
        IEnumerable<CaseJourney> journeys, int count)
    {
        var shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
        var random = new Random(11);
        var clock = Stopwatch.StartNew();
        long events = 0;
        var batches = journeys.Select(j =>
        {
            var day = new LocalDate(2026, 11, 1).PlusDays(j.Index % 30);
            var arrives = day.AtStartOfDayInZone(shanghai).ToInstant() + j.ArrivesAfterMidnight;
            int steps;
            lock (random) steps = random.NextDouble() < 0.5 ? j.Steps.Count : random.Next(j.Steps.Count);
            return direct.Decide(j, arrives, steps);
        }).Chunk(200);

        var done = 0;
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (batch, ct) =>
        {
            await using var session = store.LightweightSession();
            foreach (var (id, caseEvents, key) in batch)
            {
                session.Events.StartStream<Case>(id, caseEvents);
                if (key is not null) session.Insert(key);
            }
            await session.SaveChangesAsync(ct);
            Interlocked.Add(ref events, batch.Sum(b => b.Events.Count));
            var total = Interlocked.Add(ref done, batch.Length);
            if (total % 10_000 < batch.Length) Console.WriteLine($"   {total:N0} cases, {Interlocked.Read(ref events):N0} events, {clock.Elapsed.TotalSeconds:F0} s");
        });
        return (done, events, clock.Elapsed);
    }
}

using System.Diagnostics;
using CityCase.Engine.Assessment;
using CityCase.Engine.Cases;
using CityCase.Engine.Sla;
using JasperFx.Events.Daemon;
using Marten;

namespace CityCase.Engine.Rebuild;

/// <summary>Where a rebuild stands: which read model, how far through the events, how long so far.</summary>
public sealed record RebuildProgress(string ReadModel, long Sequence, long HighWaterMark, TimeSpan Elapsed);

/// <summary>What a whole rebuild did.</summary>
public sealed record RebuildSummary(long Events, int ReadModels, TimeSpan Elapsed)
{
    /// <summary>Events of the store replayed into every read model, per second of the whole rebuild.</summary>
    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Events / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Rebuilds every read model from the events with Marten's projection daemon: the case views and SLA
/// timers (inline projections) and the scorecards (async). Each is torn down and replayed from the
/// first event. Run it while no server is writing (the running daemon would race it).
/// </summary>
public static class ReadModelRebuilder
{
    public static readonly IReadOnlyList<(string Name, Type? Projection)> ReadModels =
    [
        ("CaseView", typeof(CaseViewProjection)),
        ("SlaTimer", typeof(SlaTimerProjection)),
        (ScorecardProjection.Name, null),
    ];

    public static async Task<RebuildSummary> RebuildAllAsync(IDocumentStore store, Action<RebuildProgress>? progress,
        TimeSpan? reportEvery = null, CancellationToken ct = default, IReadOnlyCollection<string>? only = null)
    {
        var chosen = ReadModels.Where(r => only is null || only.Count == 0 || only.Contains(r.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (only is { Count: > 0 } && only.Except(chosen.Select(r => r.Name), StringComparer.OrdinalIgnoreCase).ToList() is { Count: > 0 } unknown)
            throw new ArgumentException($"No read model is called {string.Join(", ", unknown)}; they are {string.Join(", ", ReadModels.Select(r => r.Name))}.");
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var statistics = await store.Advanced.FetchEventStoreStatistics(token: ct);
        var high = statistics.EventSequenceNumber;
        var clock = Stopwatch.StartNew();
        using var daemon = await store.BuildProjectionDaemonAsync();

        // The read models are independent, so they are rebuilt side by side: the database and the
        // projection code keep both cores busy instead of taking turns.
        await Task.WhenAll(chosen.Select(async readModel =>
        {
            var (name, projection) = readModel;
            var rebuild = projection is null
                ? daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(30), ct)
                : daemon.RebuildProjectionAsync(projection, TimeSpan.FromMinutes(30), ct);
            while (await Task.WhenAny(rebuild, Task.Delay(reportEvery ?? TimeSpan.FromSeconds(1), ct)) != rebuild)
                progress?.Invoke(new RebuildProgress(name, await SequenceOf(store, name, ct), high, clock.Elapsed));
            await rebuild;
            progress?.Invoke(new RebuildProgress(name, high, high, clock.Elapsed));
        }));
        return new RebuildSummary(statistics.EventCount, chosen.Count, clock.Elapsed);
    }

    private static async Task<long> SequenceOf(IDocumentStore store, string name, CancellationToken ct)
    {
        var shards = await store.Advanced.AllProjectionProgress(token: ct);
        return shards.Where(s => s.ShardName.StartsWith(name + ":", StringComparison.Ordinal)).Select(s => s.Sequence).DefaultIfEmpty(0).Max();
    }
}

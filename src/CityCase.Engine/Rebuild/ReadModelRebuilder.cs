using System.Diagnostics;
using CityCase.Engine.Assessment;
using CityCase.Engine.Cases;
using CityCase.Engine.Sla;
using CityCase.Domain.Assessment;
using Npgsql;
using Marten;

namespace CityCase.Engine.Rebuild;

/// <summary>Where a rebuild stands: which read model, how far through the events, how long so far.</summary>
public sealed record RebuildProgress(string ReadModel, long Sequence, long HighWaterMark, TimeSpan Elapsed);

/// <summary>What a whole rebuild did.</summary>
public sealed record RebuildSummary(long Events, int ReadModels, TimeSpan Elapsed, TimeSpan ReadDone, TimeSpan FoldDone, TimeSpan WriteDone)
{
    /// <summary>Events of the store replayed into every read model, per second of the whole rebuild.</summary>
    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Events / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Rebuilds every read model from the events: the case views and SLA timers (inline projections) and the
/// scorecards (async), each torn down and made again in one pass over the events (<see cref="OnePassRebuild"/>);
/// the scorecards' daemon then goes on from the last event the pass read. Run it while no server is writing.
/// </summary>
public static class ReadModelRebuilder
{
    public static readonly IReadOnlyList<(string Name, Type[] Documents)> ReadModels =
    [
        ("CaseView", [typeof(CaseView)]),
        ("SlaTimer", [typeof(SlaTimer)]),
        (ScorecardProjection.Name, [typeof(CaseAssessment), typeof(ScoreBucket)]),
    ];

    /// <summary>
    /// Rebuilds the chosen read models (all by default); the scorecards as version <paramref name="rulesVersion"/> of
    /// the rules (its rows and its shard), every other version's rows being removed.
    /// </summary>
    public static async Task<RebuildSummary> RebuildAllAsync(IDocumentStore store, AssessmentRules rules, int rulesVersion, Action<RebuildProgress>? progress,
        CancellationToken ct = default, IReadOnlyCollection<string>? only = null)
    {
        var chosen = ReadModels.Where(r => only is null || only.Count == 0 || only.Contains(r.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (only is { Count: > 0 } && only.Except(chosen.Select(r => r.Name), StringComparer.OrdinalIgnoreCase).ToList() is { Count: > 0 } unknown)
            throw new ArgumentException($"No read model is called {string.Join(", ", unknown)}; they are {string.Join(", ", ReadModels.Select(r => r.Name))}.");
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var statistics = await store.Advanced.FetchEventStoreStatistics(token: ct);
        var high = statistics.EventSequenceNumber;
        var clock = Stopwatch.StartNew();

        foreach (var document in chosen.SelectMany(r => r.Documents))
            await store.Advanced.Clean.DeleteDocumentsByTypeAsync(document, ct);
        var names = string.Join(", ", chosen.Select(r => r.Name));
        var choice = new ReadModelChoice(chosen.Any(r => r.Name == "CaseView"), chosen.Any(r => r.Name == "SlaTimer"),
            chosen.Any(r => r.Name == ScorecardProjection.Name));
        var pass = new OnePassRebuild(store, rules, ScorecardVersion.TenantOf(rulesVersion), choice);
        // Secondary indexes are made once over the finished tables (a sort each) instead of row by row while loading.
        var indexes = await SecondaryIndexes.DropAsync(store, chosen.SelectMany(r => r.Documents), ct);
        long events;
        try
        {
            events = await pass.RunAsync(high, sequence => progress?.Invoke(new RebuildProgress(names, sequence, high, clock.Elapsed)), ct);
        }
        finally
        {
            await SecondaryIndexes.CreateAsync(store, indexes, CancellationToken.None);
        }
        if (choice.Scorecards) await MarkScorecardsAtAsync(store, ScorecardVersion.ShardOf(rulesVersion), high, ct);
        return new RebuildSummary(events, chosen.Count, clock.Elapsed, pass.ReadDone, pass.FoldDone, pass.WriteDone);
    }

    /// <summary>The scorecards' daemon carries on from the high-water mark the pass folded up to.</summary>
    private static async Task MarkScorecardsAtAsync(IDocumentStore store, string shard, long high, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var command = new NpgsqlCommand(
            $"""
             insert into {schema}.mt_event_progression (name, last_seq_id, last_updated) values (@name, @high, transaction_timestamp())
             on conflict (name) do update set last_seq_id = excluded.last_seq_id, last_updated = excluded.last_updated
             """, connection);
        command.Parameters.AddWithValue("name", shard);
        command.Parameters.AddWithValue("high", high);
        await command.ExecuteNonQueryAsync(ct);
    }
}

using CityCase.Domain.Assessment;
using CityCase.Domain.Cases;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using NodaTime;

namespace CityCase.Engine.Assessment;

/// <summary>One daily bucket of counters: a kind, a subject, a category (hot spots only) and a local day.</summary>
public sealed class ScoreBucket
{
    public string Id { get; set; } = "";
    public BucketKind Kind { get; set; }
    public string Subject { get; set; } = "";
    public string Category { get; set; } = "";
    public LocalDate Day { get; set; }

    /// <summary>The day as yyyymmdd, for range filters (Marten's LINQ compares numbers, not LocalDates).</summary>
    public int DayNumber { get; set; }

    public ScoreCounts Counts { get; set; } = ScoreCounts.Zero;

    public static int NumberOf(LocalDate day) => day.Year * 10000 + day.Month * 100 + day.Day;
}

/// <summary>
/// The scorecards, hotline figures and hot spots, kept by the async daemon in daily buckets. For each
/// batch of events it folds every touched case's <see cref="CaseAssessment"/> (stored per case), takes
/// the case's old contribution out of the buckets and puts the new one in. A bucket that comes back to
/// zero is deleted, so a rebuild, whatever its batch sizes, leaves exactly the same rows.
/// Each version of the rules (<c>City:Scorecard:RulesVersion</c>) is its own shard writing its own rows
/// (<see cref="ScorecardVersion"/>), so a new version is built from the first event beside the active one.
/// </summary>
public sealed class ScorecardProjection(AssessmentRules rules, int rulesVersion, ScorecardVersionState versions) : IProjection
{
    public const string Name = "Scorecards";

    public async Task ApplyAsync(IDocumentOperations session, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        // Once the reads have moved to a newer version nothing reads these rows again, and they are being removed.
        if (versions.IsRetired(rulesVersion)) return;
        // A sensor's repeats and clears count in no figure: a storm of them loads no assessments.
        var byCase = events.Where(e => e.Data is ICaseEvent and not (SensorAlarmRepeated or SensorAlarmCleared))
            .GroupBy(e => e.StreamId).ToList();
        if (byCase.Count == 0) return;
        var operations = session.ForTenant(ScorecardVersion.TenantOf(rulesVersion));

        var stored = (await operations.LoadManyAsync<CaseAssessment>(ct, byCase.Select(g => g.Key)))
            .ToDictionary(a => a.Id);
        var deltas = new Dictionary<ScoreBucketKey, ScoreCounts>();
        void Add(ScoreBucketKey key, ScoreCounts counts, int sign) =>
            deltas[key] = (deltas.TryGetValue(key, out var d) ? d : ScoreCounts.Zero).Plus(counts, sign);

        foreach (var caseEvents in byCase)
        {
            stored.TryGetValue(caseEvents.Key, out var before);
            var after = before;
            foreach (var e in caseEvents)
                after = e.Data is CaseReported reported && after is null ? CaseAssessment.Start(reported) : after?.After(e.Data);
            if (after is null || after == before) continue; // a stream whose start we never saw, or nothing that counts

            if (before is not null)
                foreach (var (key, counts) in before.Contributions(rules)) Add(key, counts, -1);
            foreach (var (key, counts) in after.Contributions(rules)) Add(key, counts, +1);
            operations.Store(after);
        }

        var changed = deltas.Where(d => !d.Value.IsZero).ToList();
        if (changed.Count == 0) return;
        var buckets = (await operations.LoadManyAsync<ScoreBucket>(ct, changed.Select(d => d.Key.Id)))
            .ToDictionary(b => b.Id);
        foreach (var (key, delta) in changed)
        {
            var bucket = buckets.TryGetValue(key.Id, out var b)
                ? b
                : new ScoreBucket { Id = key.Id, Kind = key.Kind, Subject = key.Subject, Category = key.Category, Day = key.Day, DayNumber = ScoreBucket.NumberOf(key.Day) };
            bucket.Counts = bucket.Counts.Plus(delta);
            if (bucket.Counts.IsZero) operations.Delete<ScoreBucket>(bucket.Id);
            else operations.Store(bucket);
        }
    }
}

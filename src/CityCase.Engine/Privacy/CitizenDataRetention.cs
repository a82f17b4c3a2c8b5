using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Engine.Cases;
using CityCase.Engine.Lifecycle;
using CityCase.Engine.Sla;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace CityCase.Engine.Privacy;

/// <summary>
/// Erases citizens' data once the retention period after a case ended has passed: every node looks, and each erasure
/// goes through the case's aggregate handler, whose decider records it once (a repeat decides nothing), so several
/// nodes, a restart or a retry erase each case exactly once.
/// </summary>
public sealed class CitizenDataRetention(IDocumentStore store, IServiceScopeFactory scopes, IClock clock, PrivacySettings settings,
    ILogger<CitizenDataRetention> logger) : CasePollingService(scopes, logger)
{
    /// <summary>The actor of erasures the retention period makes.</summary>
    public static readonly Actor Retention = new("citycase-retention", "Retention period", "system");

    private const int Batch = 500;

    protected override double PollSeconds => settings.RetentionDays > 0 ? settings.PollSeconds : 0;

    public override async Task<int> RunOnceAsync(CancellationToken ct = default)
    {
        if (settings.RetentionDays <= 0) return 0;
        var dueMs = (clock.GetCurrentInstant() - Duration.FromDays(settings.RetentionDays)).ToUnixTimeMilliseconds();
        IReadOnlyList<Guid> due;
        await using (var session = store.QuerySession())
            due = await session.Query<CaseView>()
                .Where(v => v.HoldsCitizenData && !v.IsOpen && v.EndedAtMs <= dueMs)
                .OrderBy(v => v.EndedAtMs).Take(Batch).Select(v => v.Id).ToListAsync(ct);
        var reason = $"the retention period ({settings.RetentionDays} days after the case ended) has passed";
        return await SendAsync(due.Select(id => new CaseCommandEnvelope(id, null, new EraseCitizenData(reason), Retention)), ct);
    }
}

using CityCase.Domain.Cases;
using CityCase.Engine.Cases;
using CityCase.Engine.Lifecycle;
using CityCase.Engine.Sla;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace CityCase.Engine.Supervision;

/// <summary>
/// Raises the automatic supervision's next level (督办, then 挂牌督办) on every node, on the timekeeper's beat
/// (<c>Sla:PollSeconds</c>): the cases whose next step is due (the case view's partial index) get an
/// <see cref="EscalateSupervision"/> through their aggregate handler. The decider raises a step only while it is still the
/// next one and the disposal clock is still past it, and the stream's optimistic concurrency lets one of several nodes
/// win, so a step is recorded once across restarts and nodes. The first level (催办) needs no poller: it is decided with
/// the red light itself.
/// </summary>
public sealed class SupervisionEscalator(IDocumentStore store, IServiceScopeFactory scopes, IClock clock, CityCalendar calendar,
    IConfiguration configuration, ILogger<SupervisionEscalator> logger) : CasePollingService(scopes, logger)
{
    protected override double PollSeconds => configuration.GetValue("Sla:PollSeconds", 5.0);

    /// <summary>Cases escalated per pass at most; the rest wait for the next pass.</summary>
    private const int Batch = 500;

    /// <summary>The cases with an escalation step on record: the predicate of their partial index and of the poller's query.</summary>
    public const string EscalationDue = "(data ->> 'escalationDueMs') is not null";

    public override async Task<int> RunOnceAsync(CancellationToken ct = default)
    {
        if (!calendar.Sla.Loop.AutomaticEscalation) return 0; // City:Loop:Escalation:Automatic false: steps on record wait
        var nowMs = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
        await using var session = store.QuerySession();
        // The partial index's own predicate (CaseConfiguration), so that the planner uses it.
        var due = await session.QueryAsync<CaseView>(
            $"where {EscalationDue} and (data ->> 'escalationDueMs')::bigint <= ? " +
            "and coalesce((data ->> 'suspended')::boolean, false) = false order by (data ->> 'escalationDueMs')::bigint limit " + Batch,
            ct, nowMs);
        return await SendAsync(due.Where(v => v.EscalationLevel is not null)
            .Select(v => new CaseCommandEnvelope(v.Id, null, new EscalateSupervision(v.EscalationLevel!.Value), CaseSupervision.Escalator)), ct);
    }
}

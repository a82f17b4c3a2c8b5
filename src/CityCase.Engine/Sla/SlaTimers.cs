using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Time;
using CityCase.Engine.Lifecycle;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using Wolverine;

namespace CityCase.Engine.Sla;

/// <summary>A running clock's next light change, kept in PostgreSQL so that no restart loses it.</summary>
public sealed class SlaTimer
{
    public string Id { get; set; } = "";
    public Guid CaseId { get; set; }
    public ClockKind Clock { get; set; }
    public Instant YellowAt { get => Instant.FromUnixTimeMilliseconds(YellowAtMs); set => YellowAtMs = value.ToUnixTimeMilliseconds(); }
    public Instant Deadline { get => Instant.FromUnixTimeMilliseconds(DeadlineMs); set => DeadlineMs = value.ToUnixTimeMilliseconds(); }

    /// <summary>The same instants in Unix milliseconds: what the due-timer query compares (and indexes).</summary>
    public long YellowAtMs { get; set; }
    public long DeadlineMs { get; set; }

    public Light Recorded { get; set; }

    /// <summary>Counted over a year whose official holidays were not loaded yet, on calendar version <see cref="CalendarVersion"/>.</summary>
    public bool Provisional { get; set; }

    public int CalendarVersion { get; set; }

    public static string IdFor(Guid caseId, ClockKind clock) => $"{caseId}:{clock}";
}

/// <summary>One timer per running clock: created when it starts, moved with it, gone when it stops.</summary>
public sealed class SlaTimerProjection : MultiStreamProjection<SlaTimer, string>
{
    public SlaTimerProjection()
    {
        Identity<ClockStarted>(e => SlaTimer.IdFor(e.CaseId, e.Clock));
        Identity<ClockDeadlineMoved>(e => SlaTimer.IdFor(e.CaseId, e.Clock));
        Identity<ClockStopped>(e => SlaTimer.IdFor(e.CaseId, e.Clock));
        Identity<SlaLightChanged>(e => SlaTimer.IdFor(e.CaseId, e.Clock));
    }

    public static SlaTimer Create(ClockStarted e) => new()
    {
        Id = SlaTimer.IdFor(e.CaseId, e.Clock), CaseId = e.CaseId, Clock = e.Clock, YellowAt = e.YellowAt, Deadline = e.Deadline,
        Provisional = e.Provisional, CalendarVersion = e.CalendarVersion,
    };

    public static void Apply(SlaTimer t, ClockStarted e)
    {
        t.YellowAt = e.YellowAt;
        t.Deadline = e.Deadline;
        t.Recorded = Light.Green;
        (t.Provisional, t.CalendarVersion) = (e.Provisional, e.CalendarVersion);
    }

    public static void Apply(SlaTimer t, ClockDeadlineMoved e)
    {
        t.YellowAt = e.YellowAt;
        t.Deadline = e.Deadline;
        (t.Provisional, t.CalendarVersion) = (e.Provisional, e.CalendarVersion);
    }

    public static void Apply(SlaTimer t, SlaLightChanged e) => t.Recorded = e.Light;

    public static bool ShouldDelete(ClockStopped e) => true;
}

/// <summary>
/// Fires due timers: each becomes a command through the case's aggregate handler, which records the
/// light only if the clock still runs and that level was not recorded yet. Several nodes, a restart in
/// between or a retry cannot double a light (the decider and the stream's optimistic concurrency see
/// to it), and a stage that ended first has no timer left.
/// </summary>
public sealed class SlaTimekeeper(IDocumentStore store, IServiceScopeFactory scopes, IClock clock, IConfiguration configuration,
    ILogger<SlaTimekeeper> logger) : CasePollingService(scopes, logger)
{
    protected override double PollSeconds => configuration.GetValue("Sla:PollSeconds", 5.0);

    public override async Task<int> RunOnceAsync(CancellationToken ct = default)
    {
        var nowMs = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
        IReadOnlyList<SlaTimer> due;
        await using (var session = store.QuerySession())
            // SlaLights.LightAt's rule as SQL: yellow from YellowAt on, red strictly after the deadline.
            due = await session.Query<SlaTimer>()
                .Where(t => (t.Recorded == Light.Green && t.YellowAtMs <= nowMs) || (t.Recorded != Light.Red && t.DeadlineMs < nowMs))
                .ToListAsync(ct);
        // Yellow first, then red; the decider checks the light is due.
        return await SendAsync(due.Select(t =>
            new CaseCommandEnvelope(t.CaseId, null, new RecordSlaLight(t.Clock, t.Recorded + 1), CaseClocks.Timekeeper)), ct);
    }
}

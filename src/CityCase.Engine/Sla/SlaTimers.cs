using System.Collections.Concurrent;
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
using Wolverine.Marten;

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

    /// <summary>
    /// The clock is paused (its case is suspended): no light is due until the case resumes, so the timekeeper's due
    /// query and its indexes leave the timer out. Its light on the SLA board is the one recorded.
    /// </summary>
    public bool Paused { get; set; }

    public static string IdFor(Guid caseId, ClockKind clock) => $"{caseId}:{clock}";
}

/// <summary>
/// One timer per running clock: created when it starts, moved with it, gone when it stops, and asleep while its case is
/// suspended (domain.md: suspension stops the clocks), so that the timekeeper does not look at it again until the
/// case resumes and the resumption has moved its deadline.
/// </summary>
public sealed class SlaTimerProjection : MultiStreamProjection<SlaTimer, string>
{
    private static readonly ClockKind[] Clocks = Enum.GetValues<ClockKind>();

    public SlaTimerProjection()
    {
        Identity<ClockStarted>(e => SlaTimer.IdFor(e.CaseId, e.Clock));
        Identity<ClockDeadlineMoved>(e => SlaTimer.IdFor(e.CaseId, e.Clock));
        Identity<ClockStopped>(e => SlaTimer.IdFor(e.CaseId, e.Clock));
        Identity<SlaLightChanged>(e => SlaTimer.IdFor(e.CaseId, e.Clock));
        // Suspension pauses every clock of the case, so it goes to each timer the case could have; Evolve leaves the ones
        // that do not exist alone (the decider starts no clock while a case is suspended).
        Identities<CaseSuspended>(e => TimersOf(e.CaseId));
        Identities<CaseResumed>(e => TimersOf(e.CaseId));
    }

    private static IReadOnlyList<string> TimersOf(Guid caseId) => [.. Clocks.Select(c => SlaTimer.IdFor(caseId, c))];

    /// <summary>
    /// Written out rather than by convention: with Apply methods for CaseSuspended, Marten would make a default timer
    /// for each clock the case does not run; here null stays null (nothing stored) and a stopped clock's timer is deleted.
    /// </summary>
    public override SlaTimer? Evolve(SlaTimer? timer, string id, IEvent e)
    {
        switch (e.Data)
        {
            case ClockStarted s:
                var started = timer ?? new SlaTimer { Id = id, CaseId = s.CaseId, Clock = s.Clock };
                (started.YellowAt, started.Deadline, started.Recorded) = (s.YellowAt, s.Deadline, Light.Green);
                (started.Provisional, started.CalendarVersion) = (s.Provisional, s.CalendarVersion);
                return started;
            case ClockStopped:
                return null;
            case var _ when timer is null:
                return null; // a change to a clock that has no timer (not running): nothing to keep
            case ClockDeadlineMoved m:
                // Also while paused (a provisional count done again): the timer stays asleep; resumption wakes it.
                (timer.YellowAt, timer.Deadline) = (m.YellowAt, m.Deadline);
                (timer.Provisional, timer.CalendarVersion) = (m.Provisional, m.CalendarVersion);
                return timer;
            case SlaLightChanged l:
                timer.Recorded = l.Light;
                return timer;
            case CaseSuspended:
                timer.Paused = true;
                return timer;
            case CaseResumed:
                // The deadline moved by the time spent suspended follows in the same append (ClockDeadlineMoved).
                timer.Paused = false;
                return timer;
            default:
                return timer;
        }
    }
}

/// <summary>
/// The due-timer query of <see cref="SlaTimekeeper"/> and the two partial indexes it runs on (AddSlaTimers): each
/// branch repeats its index's expression and predicate word for word, so that the planner scans only the running
/// timers whose next light may be due, however many sleep meanwhile.
/// </summary>
public static class DueSlaTimers
{
    /// <summary>Not paused. A timer stored before the flag existed has none and counts as running.</summary>
    public const string Running = "coalesce((data ->> 'paused')::boolean, false) = false";

    public const string YellowUnrecorded = "(data ->> 'recorded') = 'Green'";
    public const string RedUnrecorded = "(data ->> 'recorded') <> 'Red'";
    public const string YellowPredicate = $"{Running} and {YellowUnrecorded}";
    public const string RedPredicate = $"{Running} and {RedUnrecorded}";

    /// <summary>
    /// SlaLights.LightAt's rule (Domain/Time/SlaLights.cs) as SQL: yellow from YellowAt on, red strictly after the
    /// deadline, for a level not yet recorded; and only on running clocks (a paused one has no light to change).
    /// Both parameters are now in Unix milliseconds.
    /// </summary>
    public const string Where =
        $"where ({YellowPredicate} and (data ->> 'yellowAtMs')::bigint <= ?) or ({RedPredicate} and (data ->> 'deadlineMs')::bigint < ?)";
}

/// <summary>
/// Finds due timers on every node every few seconds and hands each light to the durable local queue
/// <see cref="SlaLightQueue.Name"/> (<see cref="DueSlaLightsHandler"/>, one message per case), all of a pass in one transaction: once
/// handed off, a light is in PostgreSQL, and if this node dies before handling it another node finishes it from
/// the dead node's inbox. The case's stream records a light only if the clock still runs and that level was not
/// recorded yet, so several nodes, a restart in between or a repeat cannot double a light, and a stage that ended
/// first has no timer left.
/// </summary>
public sealed class SlaTimekeeper(IDocumentStore store, IServiceScopeFactory scopes, IClock clock, IConfiguration configuration,
    ILogger<SlaTimekeeper> logger) : CasePollingService(scopes, logger)
{
    protected override double PollSeconds => configuration.GetValue("Sla:PollSeconds", 5.0);

    /// <summary>
    /// Lights this node handed off lately (real time, not the city's clock), not handed off again while its queue
    /// may still be working through them; still due after that (their message was dropped after lost races), they
    /// go again. Only a saving: a repeat appends nothing.
    /// </summary>
    private readonly ConcurrentDictionary<(string Timer, Light Light), long> _handedOff = new();

    private static readonly long Resend = (long)TimeSpan.FromSeconds(30).TotalMilliseconds;

    /// <summary>One pass; returns how many lights it handed to the queue (they are recorded once the queue handles them).</summary>
    public override async Task<int> RunOnceAsync(CancellationToken ct = default)
    {
        var nowMs = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
        await using var session = store.LightweightSession();
        var due = (await session.QueryAsync<SlaTimer>(DueSlaTimers.Where, ct, nowMs, nowMs)).ToList();
        var nowTicks = Environment.TickCount64;
        foreach (var (key, at) in _handedOff)
            if (nowTicks - at > Resend) _handedOff.TryRemove(key, out _);
        due = due.Where(t => _handedOff.TryAdd((t.Id, t.Recorded + 1), nowTicks)).ToList();
        if (due.Count == 0) return 0;

        try
        {
            // Wolverine's outbox on this session: the envelopes are stored in one commit, then queued.
            using var scope = Scopes.CreateScope();
            var outbox = scope.ServiceProvider.GetRequiredService<IMartenOutbox>();
            outbox.Enroll(session);
            // Yellow first, then red (one level per pass); the decider checks the light is due.
            foreach (var lights in due.GroupBy(t => t.CaseId))
                await outbox.PublishAsync(new DueSlaLights(lights.Key, lights.Select(t => new DueLight(t.Clock, t.Recorded + 1)).ToList()));
            await session.SaveChangesAsync(ct);
            return due.Count;
        }
        catch
        {
            foreach (var t in due) _handedOff.TryRemove((t.Id, t.Recorded + 1), out _); // not handed off after all
            throw;
        }
    }
}

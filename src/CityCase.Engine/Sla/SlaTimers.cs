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

    /// <summary>One event at a time, explicitly, so that the one-pass rebuild folds with the code the inline projection runs.</summary>
    public override SlaTimer? Evolve(SlaTimer? snapshot, string id, IEvent e) => e.Data switch
    {
        ClockStarted started when snapshot is null => Started(started),
        ClockStarted started => On(snapshot, started),
        ClockDeadlineMoved moved when snapshot is not null => On(snapshot, moved),
        SlaLightChanged light when snapshot is not null => On(snapshot, light),
        ClockStopped => null, // the clock stopped: no timer left
        _ => snapshot,
    };

    private static SlaTimer Started(ClockStarted e) => new()
    {
        Id = SlaTimer.IdFor(e.CaseId, e.Clock), CaseId = e.CaseId, Clock = e.Clock, YellowAt = e.YellowAt, Deadline = e.Deadline,
        Provisional = e.Provisional, CalendarVersion = e.CalendarVersion,
    };

    private static SlaTimer On(SlaTimer t, ClockStarted e)
    {
        t.YellowAt = e.YellowAt;
        t.Deadline = e.Deadline;
        t.Recorded = Light.Green;
        (t.Provisional, t.CalendarVersion) = (e.Provisional, e.CalendarVersion);
        return t;
    }

    private static SlaTimer On(SlaTimer t, ClockDeadlineMoved e)
    {
        t.YellowAt = e.YellowAt;
        t.Deadline = e.Deadline;
        (t.Provisional, t.CalendarVersion) = (e.Provisional, e.CalendarVersion);
        return t;
    }

    private static SlaTimer On(SlaTimer t, SlaLightChanged e)
    {
        t.Recorded = e.Light;
        return t;
    }
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
        // SlaLights.LightAt's rule as SQL: yellow from YellowAt on, red strictly after the deadline.
        var due = await session.Query<SlaTimer>()
            .Where(t => (t.Recorded == Light.Green && t.YellowAtMs <= nowMs) || (t.Recorded != Light.Red && t.DeadlineMs < nowMs))
            .ToListAsync(ct);
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

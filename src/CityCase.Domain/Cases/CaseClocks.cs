using System.Collections.Immutable;
using CityCase.Domain.Time;
using NodaTime;

namespace CityCase.Domain.Cases;

/// <summary>
/// A clock started (or restarted): its deadline and the moment it turns yellow, computed now on the calendar in
/// force (<paramref name="CalendarVersion"/>) and recorded. <paramref name="Provisional"/> when the count crossed a
/// year whose official holidays were not loaded yet: it is counted again once they are.
/// </summary>
public sealed record ClockStarted(Guid CaseId, ClockKind Clock, Instant StartedAt, Instant YellowAt, Instant Deadline,
    Limit Limit, Actor By, Instant At, bool Provisional = false, int CalendarVersion = 0) : ICaseEvent;

/// <summary>A clock's stage ended (or it was abandoned): no light will follow.</summary>
public sealed record ClockStopped(Guid CaseId, ClockKind Clock, Actor By, Instant At) : ICaseEvent;

/// <summary>
/// A clock's deadline moved: time spent suspended, an approved extension, or a provisional count done again on a
/// new calendar; <paramref name="Reason"/> says which.
/// </summary>
public sealed record ClockDeadlineMoved(Guid CaseId, ClockKind Clock, Instant YellowAt, Instant Deadline, string Reason,
    Actor By, Instant At, bool Provisional = false, int CalendarVersion = 0) : ICaseEvent;

/// <summary>A clock turned yellow or red: recorded once per clock run and level.</summary>
public sealed record SlaLightChanged(Guid CaseId, ClockKind Clock, Light Light, Instant Deadline, Actor By, Instant At) : ICaseEvent;

/// <summary>A running clock as the decider knows it.</summary>
public sealed record RunningClock(Instant StartedAt, Instant YellowAt, Instant Deadline, Limit Limit, Light Recorded,
    bool Provisional = false, int CalendarVersion = 0)
{
    public SlaSchedule Schedule => new(YellowAt, Deadline, Provisional);

    public bool CountsWorkingTime => Limit.Unit != LimitUnit.NaturalHours;
}

/// <summary>
/// The SLA clocks of a case, decided purely from the events a command produced: which clocks start,
/// stop or move. Suspension stops time (resumption extends each deadline by the working time spent
/// suspended); an approved extension adds its working hours; rework keeps the original disposal
/// deadline; a return restarts dispatch, and the next department gets fresh clocks.
/// </summary>
public static class CaseClocks
{
    /// <summary>The system actor that records lights.</summary>
    public static readonly Actor Timekeeper = new("citycase-sla", "SLA timekeeper", "system");

    public static IReadOnlyList<object> Follow(Case before, IReadOnlyList<object> events, SlaPolicy policy, Instant now)
    {
        var state = before;
        var result = new List<object>();
        foreach (var e in events)
        {
            var clockEvents = Follow(state, e, policy, now).ToList();
            state = state.After(e);
            foreach (var c in clockEvents) state = state.After(c);
            result.AddRange(clockEvents);
        }
        return result;
    }

    private static IEnumerable<object> Follow(Case state, object e, SlaPolicy policy, Instant now)
    {
        var id = state.Id;
        ClockStarted Start(ClockKind clock, Limit limit) => Started(id, clock, limit, now, policy);
        IEnumerable<object> Stop(params ClockKind[] clocks) =>
            clocks.Where(state.Clocks.ContainsKey).Select(c => new ClockStopped(id, c, Timekeeper, now));

        switch (e)
        {
            case CaseReported r:
                yield return Start(ClockKind.Filing, policy.Filing);
                if (r.Source.IsCitizenReport()) yield return Start(ClockKind.Citizen, policy.Citizen);
                break;
            case CaseAccepted a:
                foreach (var s in Stop(ClockKind.Filing)) yield return s;
                yield return Start(ClockKind.Dispatch, a.Urgency == Urgency.Urgent ? policy.DispatchUrgent : policy.DispatchNormal);
                break;
            case CaseDispatched:
                foreach (var s in Stop(ClockKind.Dispatch)) yield return s;
                yield return Start(ClockKind.Signing, policy.Signing);
                if (policy.DisposalLimit(state.CategoryCode ?? "", state.Urgency) is { } disposalLimit)
                    yield return Start(ClockKind.Disposal, disposalLimit);
                break;
            case CaseSigned:
                foreach (var s in Stop(ClockKind.Signing)) yield return s;
                break;
            case CaseReturned:
                foreach (var s in Stop(ClockKind.Signing, ClockKind.Disposal)) yield return s;
                yield return Start(ClockKind.Dispatch, state.Urgency == Urgency.Urgent ? policy.DispatchUrgent : policy.DispatchNormal);
                break;
            case ExtensionDecided { Approved: true } x when state.Clocks.TryGetValue(ClockKind.Disposal, out var disposal):
            {
                // The approved hours run on from the old deadline, counted as the clock counts (natural or working time).
                var extra = new Limit(x.ExtraWorkingHours,
                    disposal.Limit.Unit == LimitUnit.NaturalHours ? LimitUnit.NaturalHours : LimitUnit.WorkingHours);
                var deadline = SlaLights.Schedule(policy.Calendar, disposal.Deadline, extra).RedAt;
                yield return Moved(id, ClockKind.Disposal, disposal, disposal.YellowAt, deadline,
                    $"extension of {x.ExtraWorkingHours} working hours", policy, now);
                break;
            }
            case CaseResumed:
                foreach (var (clock, running) in state.Clocks)
                {
                    var paused = state.SuspendedAt ?? now;
                    Instant Shift(Instant t) => running.Limit.Unit == LimitUnit.NaturalHours
                        ? t + (now - paused)
                        : policy.Calendar.AddWorkingTime(t, policy.Calendar.WorkingTimeBetween(paused, now));
                    yield return Moved(id, clock, running, Shift(running.YellowAt), Shift(running.Deadline),
                        "time spent suspended", policy, now);
                }
                break;
            case DisposalReported:
                foreach (var s in Stop(ClockKind.Disposal)) yield return s;
                yield return Start(ClockKind.Verification, policy.Verification);
                break;
            case DisposalVerified { Passed: true }:
                foreach (var s in Stop(ClockKind.Verification)) yield return s;
                yield return Start(ClockKind.Closing, policy.Closing);
                break;
            case CaseReopened:
                // 重办: fresh disposal and citizen clocks, as if the department had just been given the case.
                if (policy.DisposalLimit(state.CategoryCode ?? "", state.Urgency) is { } reopenedLimit)
                    yield return Start(ClockKind.Disposal, reopenedLimit);
                if (state.Source.IsCitizenReport()) yield return Start(ClockKind.Citizen, policy.Citizen);
                break;
            case DisposalVerified { Passed: false } or ClosureReviewed { Approved: false }:
                foreach (var s in Stop(ClockKind.Verification, ClockKind.Closing)) yield return s;
                // Rework: back to the same department against the original deadline.
                if (state.LastDisposalClock is { } original)
                    yield return new ClockStarted(id, ClockKind.Disposal, original.StartedAt, original.YellowAt, original.Deadline,
                        original.Limit, Timekeeper, now, original.Provisional, original.CalendarVersion);
                break;
            case CaseClosed or CaseRejected or CaseVoided or CaseMerged:
                foreach (var s in Stop([.. state.Clocks.Keys])) yield return s;
                break;
        }
    }

    public static ClockStarted Started(Guid caseId, ClockKind clock, Limit limit, Instant start, SlaPolicy policy)
    {
        var schedule = SlaLights.Schedule(policy.Calendar, start, limit);
        return new ClockStarted(caseId, clock, start, schedule.YellowAt, schedule.RedAt, limit, Timekeeper, start,
            schedule.Provisional, policy.CalendarVersion);
    }

    /// <summary>A deadline moved on the calendar in force: provisional when the count now crosses a provisional year.</summary>
    private static ClockDeadlineMoved Moved(Guid caseId, ClockKind clock, RunningClock running, Instant yellowAt, Instant deadline,
        string reason, SlaPolicy policy, Instant now) =>
        new(caseId, clock, yellowAt, deadline, reason, Timekeeper, now,
            running.CountsWorkingTime && policy.Calendar.IsProvisionalBetween(running.StartedAt, deadline), policy.CalendarVersion);

    /// <summary>
    /// Counts provisional deadlines again on a newer calendar (the year's official holidays arrived): each running
    /// working-time clock counted on an older calendar moves once, keeping its working time from the start. Clocks
    /// counted on official years only, or already on this calendar, decide nothing.
    /// </summary>
    public static IReadOnlyList<object> DecideRecount(Case state, RecountProvisionalClocks recount, Instant now) =>
        [.. state.Clocks
            .Where(c => c.Value.Provisional && c.Value.CountsWorkingTime && c.Value.CalendarVersion < recount.Version)
            .Select(c => (Kind: c.Key, Clock: c.Value, Previous: recount.CalendarOf(c.Value.CalendarVersion)))
            .Where(c => c.Previous is not null)
            .Select(c =>
            {
                var schedule = SlaLights.Rescheduled(c.Previous!, recount.Calendar, c.Clock.StartedAt, c.Clock.Schedule);
                return new ClockDeadlineMoved(state.Id, c.Kind, schedule.YellowAt, schedule.RedAt, recount.Reason, Timekeeper, now,
                    schedule.Provisional, recount.Version);
            })];

    /// <summary>
    /// The light a timer asks to record: only for a running, unsuspended clock whose threshold has passed,
    /// and only once per clock run and level. Anything else decides nothing.
    /// </summary>
    public static IReadOnlyList<object> DecideLight(Case state, ClockKind clock, Light light, Instant now)
    {
        if (state.Suspended || !state.Clocks.TryGetValue(clock, out var running) || running.Recorded >= light) return [];
        return SlaLights.LightAt(running.Schedule, now) >= light ? [new SlaLightChanged(state.Id, clock, light, running.Deadline, Timekeeper, now)] : [];
    }
}

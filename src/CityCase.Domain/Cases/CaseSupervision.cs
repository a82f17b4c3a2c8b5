using CityCase.Domain.Time;
using NodaTime;
using static CityCase.Domain.Cases.CaseDecider;

namespace CityCase.Domain.Cases;

/// <summary>
/// Supervision (督办) with levels, replies and automatic escalation. A supervisor supervises at a level with a reply
/// deadline in working time; the department holding the case answers every open supervision at once. When the disposal
/// clock turns red the escalator (a system actor) raises a 催办, and while the case stays red it raises the next level at
/// each configured step past the deadline (<see cref="LoopRules.EscalationSteps"/>). Each automatic step is decided once:
/// the red light itself is recorded once per clock run, and a step is raised only if it is still the next one.
/// </summary>
public static class CaseSupervision
{
    /// <summary>The system actor that raises supervisions by itself.</summary>
    public static readonly Actor Escalator = new("citycase-escalation", "Supervision escalator", "system");

    public static CaseSupervised Supervise(Case state, SuperviseCase c, Actor by, Instant now, SlaPolicy policy)
    {
        var note = Required(c.Note, "note");
        var hours = c.ReplyWorkingHours ?? policy.Loop.SupervisionReplyWorkingHours;
        if (!double.IsFinite(hours) || hours <= 0 || hours > MaxExtraWorkingHours)
            throw new ValidationFailedException($"replyWorkingHours must be more than 0 and at most {MaxExtraWorkingHours} (was {hours})");
        return new CaseSupervised(state.Id, note, by, now, c.Level ?? SupervisionLevel.Supervision, ReplyDue(policy, now, hours),
            state.DepartmentCode);
    }

    /// <summary>
    /// The department holding the case answers; a case no department holds (awaiting dispatch) is answered by a dispatcher.
    /// Every open supervision is answered at once, and those past their reply deadline are counted late.
    /// </summary>
    public static SupervisionAnswered Answer(Case state, AnswerSupervision c, Actor by, Instant now)
    {
        var reply = Required(c.Reply, "reply");
        if (by.Role == Roles.Department && by.Department != state.DepartmentCode)
            throw new DomainException(ErrorCodes.Forbidden, state.DepartmentCode is null
                ? $"case {state.Number} is with no department now; a dispatcher answers its supervision"
                : $"case {state.Number} is with department {state.DepartmentCode}, not with {by.Department ?? "yours"}; its department answers");
        if (by.Role == Roles.Dispatcher && state.DepartmentCode is not null)
            throw new DomainException(ErrorCodes.Forbidden,
                $"case {state.Number} is with department {state.DepartmentCode}; the department answers its supervision");
        if (state.OpenSupervisions.IsEmpty) throw Refuse(state, c, "no supervision is awaiting an answer");
        var late = state.OpenSupervisions.Count(s => s.ReplyDueAt is { } due && now > due);
        return new SupervisionAnswered(state.Id, state.DepartmentCode, reply, [.. state.OpenSupervisions.Select(s => s.Number)], late,
            by, now);
    }

    /// <summary>The first automatic supervision: raised with the disposal clock's red light.</summary>
    public static IEnumerable<object> Follow(Case before, IReadOnlyList<object> events, SlaPolicy policy, Instant now)
    {
        if (!policy.Loop.AutomaticEscalation || !policy.Loop.EscalationSteps.ContainsKey(SupervisionLevel.Reminder)) yield break;
        var state = before;
        foreach (var e in events)
        {
            state = state.After(e);
            if (e is SlaLightChanged { Clock: ClockKind.Disposal, Light: Light.Red } && state.IsOpen
                && state.Clocks.TryGetValue(ClockKind.Disposal, out var clock))
                yield return Automatic(state, SupervisionLevel.Reminder, clock, policy, now);
        }
    }

    /// <summary>
    /// A later step, asked for by the escalation poller: raised if it is still the next one, the case is still being
    /// disposed of, not suspended, and its step past the deadline in force has come; if the deadline moved since, the
    /// step moves with it (once). Anything else decides nothing, so a repeat, a second node or a restart appends nothing.
    /// </summary>
    public static IReadOnlyList<object> DecideEscalation(Case state, EscalateSupervision c, Instant now, SlaPolicy policy)
    {
        if (!policy.Loop.AutomaticEscalation || !state.IsOpen || state.Suspended || state.Escalation is not { } step || step.NextLevel != c.Level
            || !state.Clocks.TryGetValue(ClockKind.Disposal, out var clock)
            || !policy.Loop.EscalationSteps.TryGetValue(c.Level, out var hours))
            return [];
        var due = StepDue(clock, hours, policy);
        if (now < due)
            return due == step.NextAt ? [] : [new SupervisionEscalationRescheduled(state.Id, c.Level, due, Escalator, now)];
        return [Automatic(state, c.Level, clock, policy, now)];
    }

    private static CaseSupervised Automatic(Case state, SupervisionLevel level, RunningClock clock, SlaPolicy policy, Instant now)
    {
        var next = policy.Loop.StepAfter(level);
        Instant? nextAt = next is { } n ? StepDue(clock, policy.Loop.EscalationSteps[n], policy) : null;
        // A step already past (a long outage, a step of 0 hours) is raised at the next pass, one level at a time.
        return new CaseSupervised(state.Id, $"disposal clock red since {clock.Deadline}: raised to {Naming.ScreamingSnake(level.ToString())}",
            Escalator, now, level, ReplyDue(policy, now, policy.Loop.SupervisionReplyWorkingHours), state.DepartmentCode, true, next, nextAt);
    }

    /// <summary>A step's time: its working hours past the disposal deadline, counted as the clock counts (natural or working time).</summary>
    private static Instant StepDue(RunningClock clock, double hours, SlaPolicy policy) =>
        clock.CountsWorkingTime
            ? policy.Calendar.AddWorkingTime(clock.Deadline, Duration.FromMinutes(Math.Round(hours * 60)))
            : clock.Deadline + Duration.FromMinutes(Math.Round(hours * 60));

    private static Instant ReplyDue(SlaPolicy policy, Instant now, double hours) =>
        SlaLights.Schedule(policy.Calendar, now, new Limit(hours, LimitUnit.WorkingHours)).RedAt;
}

using NodaTime;
using static CityCase.Domain.Cases.CaseDecider;

namespace CityCase.Domain.Cases;

/// <summary>
/// The citizen's voice after closing, and notes: a follow-up score of 1 or 2, or a complaint that the problem persists,
/// within <see cref="LoopRules.ReopenWithinDays"/> of closing reopens the case (重办) to the department that disposed of
/// it; an internal note may be added by anyone who may act on the case.
/// </summary>
public static class CaseFollowUp
{
    /// <summary>The lowest score that does not reopen: 1 and 2 are dissatisfied.</summary>
    public const int SatisfiedFrom = 3;

    /// <summary>A dissatisfied score within the window reopens the case; later, or satisfied, it is only recorded.</summary>
    public static IReadOnlyList<object> ReopenOnLowScore(Case state, int score, Actor by, Instant now, LoopRules loop) =>
        score < SatisfiedFrom && WithinWindow(state, now, loop) && state.DepartmentCode is not null
            ? [new CaseReopened(state.Id, state.DepartmentCode, $"follow-up score {score}", score, by, now)]
            : [];

    public static CaseReopened Reopen(Case state, string? reason, int? score, Actor by, Instant now, LoopRules loop)
    {
        var why = Required(reason, "reason");
        if (!WithinWindow(state, now, loop))
            throw new InvalidTransitionException(typeof(ReopenCase), state.Number, state.Status, [],
                $"the case was closed more than {loop.ReopenWithinDays} days ago (City:Loop:ReopenWithinDays); file a new case");
        var department = state.DepartmentCode
                         ?? throw new ValidationFailedException($"case {state.Number} was closed without a department; file a new case");
        return new CaseReopened(state.Id, department, why, score, by, now);
    }

    private static bool WithinWindow(Case state, Instant now, LoopRules loop) =>
        state.ClosedAt is { } closed && now - closed <= Duration.FromDays(loop.ReopenWithinDays);

    /// <summary>
    /// Any status: the history is the case's memory. A department only on a case it holds (its lead department) or
    /// assists (协办); other roles' reach is the access policy's business.
    /// </summary>
    public static IReadOnlyList<object> DecideNote(Case state, AddCaseNote c, Actor by, Instant now)
    {
        var text = Required(c.Text, "text");
        if (by.Role == Roles.Department && !CaseWork.WorksOn(state, by))
            throw new DomainException(ErrorCodes.Forbidden,
                $"case {state.Number} is with department {state.DepartmentCode ?? "(none)"}, not with {by.Department ?? "yours"}");
        return [new CaseNoteAdded(state.Id, text, by, now)];
    }
}

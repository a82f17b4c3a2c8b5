using NodaTime;
using static CityCase.Domain.Cases.CaseDecider;

namespace CityCase.Domain.Cases;

/// <summary>
/// The department's requests a dispatcher decides, like extensions (domain.md, "Exception paths"): a return (回退) and a
/// suspension (挂账) are asked for, the clocks run while they wait, approval does what was asked and denial leaves the
/// case with the department; each is limited per case (<see cref="LoopRules"/>). And the city-level review before
/// closing (结案审核) of the categories and urgencies the catalogue marks. The status guards sit in CaseDecider.
/// </summary>
public static class CaseApprovals
{
    public static ReturnRequested RequestReturn(Case state, ReturnCase c, Actor by, Instant now, LoopRules loop)
    {
        var reason = Required(c.Reason, "reason");
        if (state.PendingReturn is not null) throw Refuse(state, c, "a return request is already awaiting a decision");
        if (state.Returns >= loop.MaxReturns)
            throw Refuse(state, c, $"the case has been returned {state.Returns} time(s), the most the city allows (City:Loop:MaxReturns)");
        return new ReturnRequested(state.Id, state.DepartmentCode!, reason, by, now);
    }

    /// <summary>Approval returns the case (CaseReturned, the department's reason, decided by the dispatcher); denial leaves it.</summary>
    public static IReadOnlyList<object> DecideReturn(Case state, DecideReturn c, Actor by, Instant now)
    {
        var pending = state.PendingReturn ?? throw Refuse(state, c, "no return request is awaiting a decision");
        var decided = new ReturnDecided(state.Id, c.Approve, TextLimits.Optional(c.Note, "note"), by, now);
        return c.Approve ? [decided, new CaseReturned(state.Id, state.DepartmentCode!, pending.Reason, by, now)] : [decided];
    }

    public static SuspensionRequested RequestSuspension(Case state, RequestSuspension c, Actor by, Instant now, LoopRules loop)
    {
        var reason = Required(c.Reason, "reason");
        if (state.PendingSuspension is not null) throw Refuse(state, c, "a suspension request is already awaiting a decision");
        RequireSuspensionsLeft(state, c, loop);
        return new SuspensionRequested(state.Id, state.DepartmentCode!, reason, by, now);
    }

    /// <summary>Approval suspends the case (CaseSuspended, the department's reason, decided by the dispatcher); denial leaves it running.</summary>
    public static IReadOnlyList<object> DecideSuspension(Case state, DecideSuspension c, Actor by, Instant now)
    {
        var pending = state.PendingSuspension ?? throw Refuse(state, c, "no suspension request is awaiting a decision");
        var decided = new SuspensionDecided(state.Id, c.Approve, TextLimits.Optional(c.Note, "note"), by, now);
        return c.Approve ? [decided, new CaseSuspended(state.Id, pending.Reason, by, now)] : [decided];
    }

    /// <summary>A suspension, asked for or decided directly by a dispatcher, counts against the city's limit per case.</summary>
    public static void RequireSuspensionsLeft(Case state, CaseCommand c, LoopRules loop)
    {
        if (state.Suspensions >= loop.MaxSuspensions)
            throw Refuse(state, c, $"the case has been suspended {state.Suspensions} time(s), the most the city allows (City:Loop:MaxSuspensions)");
    }

    /// <summary>A verified disposal of a marked category or urgency that the review has not approved yet.</summary>
    public static bool AwaitsClosureReview(Case state, ICaseRules rules) =>
        !state.ClosureApproved && state.CategoryCode is { } category && rules.NeedsCloseReview(category, state.Urgency);

    /// <summary>
    /// Only the role the city chose reviews, only a verified disposal of a marked case, once per disposal. Denial sends
    /// the case back to the department for rework (the clocks treat it as a failed verification).
    /// </summary>
    public static ClosureReviewed ReviewClosure(Case state, ReviewClosure c, Actor by, Instant now, ICaseRules rules, LoopRules loop)
    {
        if (by.Role != loop.CloseReviewRole && by.Role != Roles.Admin)
            throw new DomainException(ErrorCodes.Forbidden,
                $"the city's review before closing (结案审核) is a {loop.CloseReviewRole}'s (City:Loop:CloseReviewRole), not a {by.Role}'s");
        if (state.CategoryCode is not { } category || !rules.NeedsCloseReview(category, state.Urgency))
            throw new ValidationFailedException(
                $"category {state.CategoryCode} at urgency {state.Urgency.ToString().ToUpperInvariant()} needs no review before closing; close it");
        if (!state.Verified) throw Refuse(state, c, "the disposal has not passed verification yet");
        if (state.ClosureApproved) throw Refuse(state, c, "the review already approved this disposal; close the case");
        var note = TextLimits.Optional(c.Note, "note");
        if (!c.Approve && note is null) throw new ValidationFailedException("a denied review needs a note saying what is still wrong");
        return new ClosureReviewed(state.Id, c.Approve, note, by, now);
    }
}

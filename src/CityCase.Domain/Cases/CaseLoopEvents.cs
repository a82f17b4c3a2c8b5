using NodaTime;

namespace CityCase.Domain.Cases;

// The loop as cities run it (issue 16): approvals, supervision with levels, reopening and notes. Each decided in its own
// static class beside CaseDecider (CaseApprovals, CaseSupervision, CaseFollowUp); every field added to an older event
// is optional, so events stored before them stay readable.

/// <summary>The department asked to send the case back (回退): not theirs. It stays with them until a dispatcher decides.</summary>
public sealed record ReturnRequested(Guid CaseId, string DepartmentCode, string Reason, Actor By, Instant At) : ICaseEvent;

/// <summary>The dispatcher decided the pending return: approved (a <see cref="CaseReturned"/> follows) or denied (the case stays).</summary>
public sealed record ReturnDecided(Guid CaseId, bool Approved, string? Note, Actor By, Instant At) : ICaseEvent;

/// <summary>The department asked to put the case on hold (挂账); its clocks run until a dispatcher approves.</summary>
public sealed record SuspensionRequested(Guid CaseId, string DepartmentCode, string Reason, Actor By, Instant At) : ICaseEvent;

/// <summary>The dispatcher decided the pending suspension: approved (a <see cref="CaseSuspended"/> follows) or denied.</summary>
public sealed record SuspensionDecided(Guid CaseId, bool Approved, string? Note, Actor By, Instant At) : ICaseEvent;

/// <summary>
/// The city-level review before closing (结案审核) of a case the catalogue marks: approved (the case may be closed) or
/// denied (back to the department for rework, against its original deadline, like a failed verification).
/// </summary>
public sealed record ClosureReviewed(Guid CaseId, bool Approved, string? Note, Actor By, Instant At) : ICaseEvent;

/// <summary>How strongly a case is supervised (督办), lowest first.</summary>
public enum SupervisionLevel
{
    /// <summary>催办: a reminder.</summary>
    Reminder,

    /// <summary>督办: supervision proper.</summary>
    Supervision,

    /// <summary>挂牌督办: listed publicly.</summary>
    PublicListing,
}

/// <summary>One supervision the holding department has not answered yet.</summary>
public sealed record OpenSupervision(int Number, SupervisionLevel Level, Instant? ReplyDueAt);

/// <summary>
/// The holding department (or, for a case no department holds, a dispatcher) answered every open supervision at once;
/// <paramref name="Answered"/> are their numbers, <paramref name="Late"/> how many of them were answered after their
/// reply deadline.
/// </summary>
public sealed record SupervisionAnswered(Guid CaseId, string? DepartmentCode, string Reply, IReadOnlyList<int> Answered, int Late,
    Actor By, Instant At) : ICaseEvent;

/// <summary>
/// The automatic escalation's next step moved (the disposal deadline moved: an extension, time spent suspended): the
/// level <paramref name="NextLevel"/> is now due at <paramref name="NextAt"/>.
/// </summary>
public sealed record SupervisionEscalationRescheduled(Guid CaseId, SupervisionLevel NextLevel, Instant NextAt, Actor By, Instant At)
    : ICaseEvent;

/// <summary>
/// A closed case was reopened (重办) to the department that disposed of it: a follow-up score of 1 or 2
/// (<paramref name="Score"/>), or the citizen's complaint that the problem persists. Fresh disposal and citizen clocks follow.
/// </summary>
public sealed record CaseReopened(Guid CaseId, string DepartmentCode, string Reason, int? Score, Actor By, Instant At) : ICaseEvent;

/// <summary>An internal note on the case, by someone who may act on it; part of its history, never shown to the citizen.</summary>
public sealed record CaseNoteAdded(Guid CaseId, string Text, Actor By, Instant At) : ICaseEvent;

/// <summary>
/// The on-site verification (核查) of a reported disposal went to an inspector: by the beat that holds the case's grid,
/// the city's fallback inspector when no beat does (<paramref name="ByRule"/>), or a dispatcher's choice.
/// </summary>
public sealed record VerificationAssigned(Guid CaseId, string InspectorUserId, bool ByRule, Actor By, Instant At) : ICaseEvent;

/// <summary>
/// The department holding the case gave it to one of its workers (<paramref name="PreviousUserId"/>: whom it was with
/// before, on a reassignment).
/// </summary>
public sealed record CaseAssigned(Guid CaseId, string DepartmentCode, string AssigneeUserId, string? AssigneeName,
    string? PreviousUserId, Actor By, Instant At) : ICaseEvent;

/// <summary>An assisting department (协办) joined the case: it may see it and add notes; the lead department alone disposes.</summary>
public sealed record AssistingDepartmentAdded(Guid CaseId, string DepartmentCode, Actor By, Instant At) : ICaseEvent;

namespace CityCase.Domain.Cases;

// Commands of the loop as cities run it (issue 16); ReturnCase, SuspendCase and SuperviseCase are in CaseCommands.cs.

/// <summary>The dispatcher approves or denies the department's pending return (回退).</summary>
public sealed record DecideReturn(bool Approve, string? Note) : CaseCommand;

/// <summary>The department asks to put its case on hold (挂账).</summary>
public sealed record RequestSuspension(string Reason) : CaseCommand;

/// <summary>The dispatcher approves or denies the department's pending suspension.</summary>
public sealed record DecideSuspension(bool Approve, string? Note) : CaseCommand;

/// <summary>The city-level review before closing (结案审核), by the role the city chose (<see cref="LoopRules.CloseReviewRole"/>).</summary>
public sealed record ReviewClosure(bool Approve, string? Note) : CaseCommand;

/// <summary>The holding department answers the case's open supervisions (督办回复).</summary>
public sealed record AnswerSupervision(string Reply) : CaseCommand;

/// <summary>
/// The escalation poller asks to raise the automatic supervision to <paramref name="Level"/>; decided only while the
/// case's disposal clock is still red past that level's step, and only once.
/// </summary>
public sealed record EscalateSupervision(SupervisionLevel Level) : CaseCommand;

/// <summary>The citizen complains that the problem persists: reopen the closed case (重办).</summary>
public sealed record ReopenCase(string Reason) : CaseCommand;

/// <summary>An internal note on the case.</summary>
public sealed record AddCaseNote(string Text) : CaseCommand;

/// <summary>A dispatcher gives the pending verification to another inspector.</summary>
public sealed record AssignVerification(string InspectorUserId) : CaseCommand;

/// <summary>The department holding the case gives it to one of its workers (or to another, a reassignment).</summary>
public sealed record AssignCase(string AssigneeUserId, string? AssigneeName) : CaseCommand;

/// <summary>A dispatcher names a department that assists the lead department (协办).</summary>
public sealed record AddAssistingDepartment(string DepartmentCode) : CaseCommand;

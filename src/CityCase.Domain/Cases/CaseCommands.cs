using CityCase.Domain.Evidence;
using CityCase.Domain.Time;

namespace CityCase.Domain.Cases;

/// <summary>
/// A command on a case; the decider turns it into events or refuses it. Each is named for the operation clients
/// call (<c>SignCase</c> is the <c>signCase</c> mutation); how clients spell it is the API's business.
/// </summary>
public abstract record CaseCommand;

public sealed record AcceptCase(string CategoryCode, Urgency Urgency, string? Note) : CaseCommand;

public sealed record RejectCase(string Reason) : CaseCommand;

/// <summary>Dispatch to a department; the handler resolves it from the rules when the dispatcher names none.</summary>
public sealed record DispatchCase(string? DepartmentCode) : CaseCommand;

public sealed record SignCase : CaseCommand;

/// <summary>The department asks to send the case back (回退); a dispatcher decides (<see cref="DecideReturn"/>).</summary>
public sealed record ReturnCase(string Reason) : CaseCommand;

public sealed record RequestExtension(double ExtraWorkingHours, string Reason) : CaseCommand;

public sealed record DecideExtension(bool Approve, string? Note) : CaseCommand;

public sealed record SuspendCase(string Reason) : CaseCommand;

public sealed record ResumeCase(string Reason) : CaseCommand;

/// <summary>The department's report; <paramref name="Photos"/> are after-disposal photos uploaded for it.</summary>
public sealed record ReportDisposal(string Result, IReadOnlyList<string> PhotoUrls, IReadOnlyList<EvidencePhoto>? Photos = null) : CaseCommand;

/// <summary>The inspector's on-site check; <paramref name="Photos"/> are verification photos uploaded for it.</summary>
public sealed record VerifyDisposal(bool Passed, string? Note, IReadOnlyList<EvidencePhoto>? Photos = null) : CaseCommand;

public sealed record CloseCase : CaseCommand;

public sealed record VoidCase(string Reason) : CaseCommand;

/// <summary>
/// Fold this case (a duplicate) into the open case <paramref name="Into"/>, whose state the decision reads;
/// the original then records the duplicate with <see cref="RecordMergedDuplicate"/>.
/// </summary>
public sealed record MergeCase(Case Into) : CaseCommand;

/// <summary>The original's side of a merge: the duplicate (already decided MERGED) and its reporter are linked here.</summary>
public sealed record RecordMergedDuplicate(Case Duplicate) : CaseCommand;

/// <summary>
/// Supervise the case (督办) at a level (督办 when none is given); the holding department must answer within
/// <paramref name="ReplyWorkingHours"/> (the city's <see cref="LoopRules.SupervisionReplyWorkingHours"/> when none is given).
/// </summary>
public sealed record SuperviseCase(string Note, SupervisionLevel? Level = null, double? ReplyWorkingHours = null) : CaseCommand;

public sealed record NotifyCitizen(NotificationKind Kind, string Channel) : CaseCommand;

public sealed record RecordSatisfaction(int Score, string? Comment) : CaseCommand;

/// <summary>
/// The city's calendar changed (version <paramref name="Version"/>): count provisional deadlines again on it.
/// <paramref name="CalendarOf"/> gives the calendar of an earlier version, the one a clock was counted on.
/// </summary>
public sealed record RecountProvisionalClocks(BusinessCalendar Calendar, int Version, Func<int, BusinessCalendar?> CalendarOf,
    string Reason) : CaseCommand;

/// <summary>An auditor or supervisor needs the citizen's contact in full for this case, and says why.</summary>
public sealed record RevealCitizenContact(string Reason) : CaseCommand;

/// <summary>Erase the citizen's personal data of a closed case (an admin, or the retention period), and say why.</summary>
public sealed record EraseCitizenData(string Reason) : CaseCommand;

/// <summary>A timer asks to record a clock's light; decided only if the clock still runs and the light is due.</summary>
public sealed record RecordSlaLight(ClockKind Clock, Light Light) : CaseCommand;

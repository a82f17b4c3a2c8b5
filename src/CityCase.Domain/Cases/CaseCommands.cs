using CityCase.Domain.Time;

namespace CityCase.Domain.Cases;

/// <summary>A command on an existing case; the decider turns it into events or refuses it.</summary>
public abstract record CaseCommand
{
    /// <summary>The operation's name as clients call it (the GraphQL mutation), for error messages.</summary>
    public abstract string Operation { get; }
}

public sealed record AcceptCase(string CategoryCode, Urgency Urgency, string? Note) : CaseCommand
{
    public override string Operation => "acceptCase";
}

public sealed record RejectCase(string Reason) : CaseCommand
{
    public override string Operation => "rejectCase";
}

/// <summary>Dispatch to a department; the handler resolves it from the rules when the dispatcher names none.</summary>
public sealed record DispatchCase(string? DepartmentCode) : CaseCommand
{
    public override string Operation => "dispatchCase";
}

public sealed record SignCase : CaseCommand
{
    public override string Operation => "signCase";
}

public sealed record ReturnCase(string Reason) : CaseCommand
{
    public override string Operation => "returnCase";
}

public sealed record RequestExtension(double ExtraWorkingHours, string Reason) : CaseCommand
{
    public override string Operation => "requestExtension";
}

public sealed record DecideExtension(bool Approve, string? Note) : CaseCommand
{
    public override string Operation => "decideExtension";
}

public sealed record SuspendCase(string Reason) : CaseCommand
{
    public override string Operation => "suspendCase";
}

public sealed record ResumeCase(string Reason) : CaseCommand
{
    public override string Operation => "resumeCase";
}

public sealed record ReportDisposal(string Result, IReadOnlyList<string> PhotoUrls) : CaseCommand
{
    public override string Operation => "reportDisposal";
}

public sealed record VerifyDisposal(bool Passed, string? Note) : CaseCommand
{
    public override string Operation => "verifyDisposal";
}

public sealed record CloseCase : CaseCommand
{
    public override string Operation => "closeCase";
}

public sealed record VoidCase(string Reason) : CaseCommand
{
    public override string Operation => "voidCase";
}

/// <summary>
/// Fold this case (a duplicate) into the open case <paramref name="Into"/>, whose state the decision reads;
/// the original then records the duplicate with <see cref="RecordMergedDuplicate"/>.
/// </summary>
public sealed record MergeCase(Case Into) : CaseCommand
{
    public override string Operation => "mergeCase";
}

/// <summary>The original's side of a merge: the duplicate (already decided MERGED) and its reporter are linked here.</summary>
public sealed record RecordMergedDuplicate(Case Duplicate) : CaseCommand
{
    public override string Operation => "mergeCase";
}

public sealed record SuperviseCase(string Note) : CaseCommand
{
    public override string Operation => "superviseCase";
}

public sealed record NotifyCitizen(NotificationKind Kind, string Channel) : CaseCommand
{
    public override string Operation => "notifyCitizen";
}

public sealed record RecordSatisfaction(int Score, string? Comment) : CaseCommand
{
    public override string Operation => "recordSatisfaction";
}

/// <summary>A timer asks to record a clock's light; decided only if the clock still runs and the light is due.</summary>
public sealed record RecordSlaLight(ClockKind Clock, Light Light) : CaseCommand
{
    public override string Operation => "recordSlaLight";
}

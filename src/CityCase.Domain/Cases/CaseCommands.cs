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

/// <summary>Fold this case (a duplicate) into the open case <paramref name="Into"/>.</summary>
public sealed record MergeCase(Guid IntoCaseId) : CaseCommand
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

/// <summary>The same sensor raised the same alarm again while its case is open.</summary>
public sealed record RepeatSensorAlarm(string Severity) : CaseCommand
{
    public override string Operation => "raiseSensorAlarm";
}

public sealed record ClearSensorAlarm : CaseCommand
{
    public override string Operation => "clearSensorAlarm";
}

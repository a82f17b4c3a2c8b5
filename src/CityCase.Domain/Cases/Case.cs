using NodaTime;

namespace CityCase.Domain.Cases;

/// <summary>An extension the department asked for, awaiting the dispatcher.</summary>
public sealed record PendingExtension(double ExtraWorkingHours, string Reason, Instant RequestedAt);

/// <summary>
/// The write model: what the decider needs to know about a case, folded from its events. Immutable;
/// <see cref="After"/> gives the next state. Marten folds it live by the same Apply methods.
/// </summary>
public sealed record Case
{
    public Guid Id { get; init; }
    public string Number { get; init; } = "";
    public CaseSource Source { get; init; }
    public CaseStatus Status { get; init; }
    public bool Suspended { get; init; }
    public string? CategoryCode { get; init; }
    public Urgency Urgency { get; init; }
    public CasePlace? Place { get; init; }
    public Location Location { get; init; } = new(0, 0, null);
    public Citizen? ReportedBy { get; init; }
    public SensorAlarm? Sensor { get; init; }
    public bool SensorCleared { get; init; }

    /// <summary>The department it is dispatched to, while it is with one.</summary>
    public string? DepartmentCode { get; init; }

    /// <summary>Every department it was dispatched to, in order (a return followed by another department is a wrong dispatch).</summary>
    public IReadOnlyList<string> DepartmentHistory { get; init; } = [];

    public bool Verified { get; init; }
    public PendingExtension? PendingExtension { get; init; }
    public double ApprovedExtraWorkingHours { get; init; }
    public int Reworks { get; init; }
    public int Returns { get; init; }
    public int Extensions { get; init; }
    public int Supervisions { get; init; }
    public int SensorRepeats { get; init; }
    public Guid? MergedInto { get; init; }
    public bool AcceptanceNotified { get; init; }
    public bool CompletionNotified { get; init; }
    public int? Satisfaction { get; init; }
    public int Version { get; init; }

    /// <summary>Open means it still needs someone to act: not closed, rejected, voided or merged.</summary>
    public bool IsOpen => Status is not (CaseStatus.Closed or CaseStatus.Rejected or CaseStatus.Voided or CaseStatus.Merged);

    public static Case Create(CaseReported e) => new()
    {
        Id = e.CaseId,
        Number = e.CaseNumber,
        Source = e.Source,
        Status = CaseStatus.Reported,
        CategoryCode = e.CategoryCode,
        Place = e.Place,
        Location = e.Location,
        ReportedBy = e.ReportedBy,
        Sensor = e.Sensor,
        Version = 1,
    };

    public Case Apply(CaseAccepted e) => this with { Status = CaseStatus.Accepted, CategoryCode = e.CategoryCode, Urgency = e.Urgency };
    public Case Apply(CaseRejected _) => this with { Status = CaseStatus.Rejected };
    public Case Apply(CaseDispatched e) => this with
    {
        Status = CaseStatus.Dispatched, DepartmentCode = e.DepartmentCode, DepartmentHistory = [.. DepartmentHistory, e.DepartmentCode],
    };
    public Case Apply(CaseSigned _) => this with { Status = CaseStatus.InProgress };
    public Case Apply(CaseReturned _) => this with
    {
        Status = CaseStatus.Accepted, DepartmentCode = null, Returns = Returns + 1, PendingExtension = null,
    };
    public Case Apply(ExtensionRequested e) => this with { PendingExtension = new(e.ExtraWorkingHours, e.Reason, e.At) };
    public Case Apply(ExtensionDecided e) => this with
    {
        PendingExtension = null,
        Extensions = e.Approved ? Extensions + 1 : Extensions,
        ApprovedExtraWorkingHours = e.Approved ? ApprovedExtraWorkingHours + e.ExtraWorkingHours : ApprovedExtraWorkingHours,
    };
    public Case Apply(CaseSuspended _) => this with { Suspended = true };
    public Case Apply(CaseResumed _) => this with { Suspended = false };
    public Case Apply(DisposalReported _) => this with { Status = CaseStatus.Disposed, Verified = false, PendingExtension = null };
    public Case Apply(DisposalVerified e) => e.Passed
        ? this with { Verified = true }
        : this with { Status = CaseStatus.InProgress, Verified = false, Reworks = Reworks + 1 };
    public Case Apply(CaseClosed _) => this with { Status = CaseStatus.Closed };
    public Case Apply(CaseVoided _) => this with { Status = CaseStatus.Voided, Suspended = false };
    public Case Apply(CaseMerged e) => this with { Status = CaseStatus.Merged, MergedInto = e.IntoCaseId };
    public Case Apply(DuplicateMerged _) => this;
    public Case Apply(CaseSupervised _) => this with { Supervisions = Supervisions + 1 };
    public Case Apply(CitizenNotified e) => e.Kind == NotificationKind.Acceptance
        ? this with { AcceptanceNotified = true }
        : this with { CompletionNotified = true };
    public Case Apply(SatisfactionRecorded e) => this with { Satisfaction = e.Score };
    public Case Apply(SensorAlarmRepeated _) => this with { SensorRepeats = SensorRepeats + 1 };
    public Case Apply(SensorAlarmCleared _) => this with { SensorCleared = true };

    /// <summary>The state after one more event (the fold step; the version advances by one).</summary>
    public Case After(object @event) => (@event switch
    {
        CaseAccepted e => Apply(e),
        CaseRejected e => Apply(e),
        CaseDispatched e => Apply(e),
        CaseSigned e => Apply(e),
        CaseReturned e => Apply(e),
        ExtensionRequested e => Apply(e),
        ExtensionDecided e => Apply(e),
        CaseSuspended e => Apply(e),
        CaseResumed e => Apply(e),
        DisposalReported e => Apply(e),
        DisposalVerified e => Apply(e),
        CaseClosed e => Apply(e),
        CaseVoided e => Apply(e),
        CaseMerged e => Apply(e),
        DuplicateMerged e => Apply(e),
        CaseSupervised e => Apply(e),
        CitizenNotified e => Apply(e),
        SatisfactionRecorded e => Apply(e),
        SensorAlarmRepeated e => Apply(e),
        SensorAlarmCleared e => Apply(e),
        _ => this, // events of other capabilities (SLA lights, ...) do not change what the decider needs
    }) with { Version = Version + 1 };

    /// <summary>Folds a whole history; the first event must be the report.</summary>
    public static Case From(IEnumerable<object> history)
    {
        using var events = history.GetEnumerator();
        if (!events.MoveNext() || events.Current is not CaseReported reported)
            throw new ArgumentException("A case's history starts with CaseReported.", nameof(history));
        var state = Create(reported);
        while (events.MoveNext()) state = state.After(events.Current);
        return state;
    }
}

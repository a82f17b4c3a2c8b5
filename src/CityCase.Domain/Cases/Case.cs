using System.Collections.Immutable;
using CityCase.Domain.Evidence;
using CityCase.Domain.Notices;
using CityCase.Domain.Time;
using NodaTime;

namespace CityCase.Domain.Cases;

/// <summary>An extension the department asked for, awaiting the dispatcher.</summary>
public sealed record PendingExtension(double ExtraWorkingHours, string Reason, Instant RequestedAt);

/// <summary>A return or suspension the department asked for, awaiting the dispatcher.</summary>
public sealed record PendingRequest(string Reason, Instant RequestedAt);

/// <summary>The automatic escalation's next step: the level it raises, and when that is due.</summary>
public sealed record EscalationStep(SupervisionLevel NextLevel, Instant NextAt);

/// <summary>
/// The write model: only what the decider and the clocks read, folded from the case's events (counters,
/// history and the rest of what people see live in the case view). Immutable; <see cref="After"/> gives the
/// next state. Marten folds it live through the same function (CaseWriteModelProjection).
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
    public SealedCitizen? ReportedBy { get; init; }

    /// <summary>The citizen's personal data was erased: its key is gone, and a repeat decides nothing.</summary>
    public bool CitizenErased { get; init; }
    public SensorAlarm? Sensor { get; init; }
    public bool SensorCleared { get; init; }

    /// <summary>The department it is dispatched to, while it is with one.</summary>
    public string? DepartmentCode { get; init; }

    public bool Verified { get; init; }
    public PendingExtension? PendingExtension { get; init; }
    public bool AcceptanceNotified { get; init; }
    public bool CompletionNotified { get; init; }
    public bool FollowUpNotified { get; init; }

    /// <summary>Notices queued for the gateway and not yet delivered or failed, by notice id.</summary>
    public ImmutableDictionary<string, NotificationKind> PendingNotices { get; init; } = ImmutableDictionary<string, NotificationKind>.Empty;

    /// <summary>How many notices the case has queued: the next one's number.</summary>
    public int NoticesQueued { get; init; }

    /// <summary>Whether the citizen has been told (or asked) this.</summary>
    public bool Notified(NotificationKind kind) => kind switch
    {
        NotificationKind.Acceptance => AcceptanceNotified,
        NotificationKind.Completion => CompletionNotified,
        _ => FollowUpNotified,
    };
    public int? Satisfaction { get; init; }

    /// <summary>
    /// Photos attached in the current round of the loop, by kind: before-disposal since the dispatch, after-disposal since
    /// the department took (or took back) the work, verification since the disposal report. What required photos count.
    /// </summary>
    public ImmutableDictionary<AttachmentKind, int> PhotosThisRound { get; init; } = ImmutableDictionary<AttachmentKind, int>.Empty;

    public int Version { get; init; }

    /// <summary>The SLA clocks running now.</summary>
    public ImmutableDictionary<ClockKind, RunningClock> Clocks { get; init; } = ImmutableDictionary<ClockKind, RunningClock>.Empty;

    /// <summary>The last disposal clock, kept for rework: a failed verification restores its original deadline.</summary>
    public RunningClock? LastDisposalClock { get; init; }

    public Instant? SuspendedAt { get; init; }

    // The loop's approvals, supervision and reopening (CaseApprovals, CaseSupervision, CaseFollowUp).
    public PendingRequest? PendingReturn { get; init; }
    public PendingRequest? PendingSuspension { get; init; }

    /// <summary>Approved returns so far (the city limits them).</summary>
    public int Returns { get; init; }

    /// <summary>Suspensions so far (the city limits them).</summary>
    public int Suspensions { get; init; }

    /// <summary>The city-level review before closing approved this disposal.</summary>
    public bool ClosureApproved { get; init; }

    /// <summary>How many supervisions the case has had; the next one is numbered one more.</summary>
    public int SupervisionCount { get; init; }

    public ImmutableList<OpenSupervision> OpenSupervisions { get; init; } = [];

    /// <summary>The automatic escalation of a red disposal clock, while it has a level still to raise.</summary>
    public EscalationStep? Escalation { get; init; }

    public Instant? ClosedAt { get; init; }
    public int Reopenings { get; init; }

    // Work for named people (CaseWork).
    public string? VerificationInspector { get; init; }
    public string? Assignee { get; init; }
    public ImmutableHashSet<string> AssistingDepartments { get; init; } = [];

    /// <summary>Open means it still needs someone to act: not closed, rejected, voided or merged.</summary>
    public bool IsOpen => Status.IsOpen();

    /// <summary>
    /// A case not yet reported: the identity intake gave it (its id and number), version 0. Intake commands are
    /// decided on it like any other command on any other state.
    /// </summary>
    public static Case NotYetReported(Guid id, string number) => new() { Id = id, Number = number };

    /// <summary>Whether the case exists: its report has been recorded.</summary>
    public bool Exists => Version > 0;

    public static Case Start(CaseReported e) => new()
    {
        Id = e.CaseId,
        Number = e.CaseNumber,
        Source = e.Source,
        Status = CaseStatus.Reported,
        CategoryCode = e.CategoryCode,
        Place = e.Place,
        ReportedBy = e.ReportedBy,
        Sensor = e.Sensor,
        Version = 1,
    };

    private Case On(CaseAccepted e) => this with { Status = CaseStatus.Accepted, CategoryCode = e.CategoryCode, Urgency = e.Urgency };
    private Case On(CaseRejected _) => this with { Status = CaseStatus.Rejected };
    private Case On(CaseDispatched e) => this with
    {
        Status = CaseStatus.Dispatched, DepartmentCode = e.DepartmentCode,
        PhotosThisRound = PhotosThisRound.Remove(AttachmentKind.BeforeDisposal),
    };
    private Case On(CaseSigned _) => this with
    {
        Status = CaseStatus.InProgress, PhotosThisRound = PhotosThisRound.Remove(AttachmentKind.AfterDisposal),
    };
    private Case On(CaseReturned _) => this with
    {
        Status = CaseStatus.Accepted, DepartmentCode = null, PendingExtension = null, PendingReturn = null, PendingSuspension = null,
        Returns = Returns + 1, Assignee = null, AssistingDepartments = [],
    };
    private Case On(ReturnRequested e) => this with { PendingReturn = new(e.Reason, e.At) };
    private Case On(ReturnDecided _) => this with { PendingReturn = null };
    private Case On(SuspensionRequested e) => this with { PendingSuspension = new(e.Reason, e.At) };
    private Case On(SuspensionDecided _) => this with { PendingSuspension = null };
    private Case On(ClosureReviewed e) => e.Approved
        ? this with { ClosureApproved = true }
        : this with
        {
            Status = CaseStatus.InProgress, Verified = false,
            PhotosThisRound = PhotosThisRound.Remove(AttachmentKind.AfterDisposal).Remove(AttachmentKind.Verification),
        };
    private Case On(CaseSupervised e) => this with
    {
        SupervisionCount = SupervisionCount + 1,
        OpenSupervisions = OpenSupervisions.Add(new OpenSupervision(SupervisionCount + 1, e.Level, e.ReplyDueAt)),
        Escalation = e.Automatic ? e.NextLevel is { } next && e.NextAt is { } at ? new EscalationStep(next, at) : null : Escalation,
    };
    private Case On(SupervisionAnswered e) => this with { OpenSupervisions = OpenSupervisions.RemoveAll(s => e.Answered.Contains(s.Number)) };
    private Case On(SupervisionEscalationRescheduled e) => this with { Escalation = new EscalationStep(e.NextLevel, e.NextAt) };
    private Case On(CaseReopened e) => this with
    {
        Status = CaseStatus.InProgress, DepartmentCode = e.DepartmentCode, Verified = false, ClosureApproved = false,
        Satisfaction = null, CompletionNotified = false, FollowUpNotified = false, ClosedAt = null, Reopenings = Reopenings + 1, Assignee = null,
        VerificationInspector = null,
        PhotosThisRound = PhotosThisRound.Remove(AttachmentKind.AfterDisposal).Remove(AttachmentKind.Verification),
    };
    private Case On(ExtensionRequested e) => this with { PendingExtension = new(e.ExtraWorkingHours, e.Reason, e.At) };
    private Case On(ExtensionDecided _) => this with { PendingExtension = null };
    private Case On(CaseSuspended e) => this with
    {
        Suspended = true, SuspendedAt = e.At, Suspensions = Suspensions + 1, PendingSuspension = null,
    };
    private Case On(CaseResumed _) => this with { Suspended = false, SuspendedAt = null };
    private Case On(DisposalReported _) => this with
    {
        Status = CaseStatus.Disposed, Verified = false, ClosureApproved = false, PendingExtension = null, PendingReturn = null,
        PendingSuspension = null, PhotosThisRound = PhotosThisRound.Remove(AttachmentKind.Verification),
    };
    private Case On(DisposalVerified e) => e.Passed
        ? this with { Verified = true }
        : this with { Status = CaseStatus.InProgress, Verified = false, PhotosThisRound = PhotosThisRound.Remove(AttachmentKind.AfterDisposal) };
    private Case On(EvidenceAttached e) => this with
    {
        PhotosThisRound = PhotosThisRound.SetItem(e.Kind, PhotosThisRound.GetValueOrDefault(e.Kind) + e.Photos.Count),
    };
    private Case On(CaseClosed e) => this with { Status = CaseStatus.Closed, ClosedAt = e.At };
    private Case On(CaseVoided _) => this with { Status = CaseStatus.Voided, Suspended = false };
    private Case On(CaseMerged _) => this with { Status = CaseStatus.Merged };
    private Case On(CitizenNotified e) => (e.Kind switch
    {
        NotificationKind.Acceptance => this with { AcceptanceNotified = true },
        NotificationKind.Completion => this with { CompletionNotified = true },
        _ => this with { FollowUpNotified = true },
    }) with { PendingNotices = e.NoticeId is null ? PendingNotices : PendingNotices.Remove(e.NoticeId) };
    private Case On(CitizenNoticeQueued e) => this with
    {
        PendingNotices = PendingNotices.SetItem(e.NoticeId, e.Kind), NoticesQueued = NoticesQueued + 1,
    };
    private Case On(CitizenNoticeFailed e) => this with { PendingNotices = PendingNotices.Remove(e.NoticeId) };
    private Case On(SatisfactionRecorded e) => this with { Satisfaction = e.Score };
    private Case On(SensorAlarmCleared _) => this with { SensorCleared = true };
    private Case On(CitizenDataErased _) => this with { CitizenErased = true };
    private Case On(ClockStarted e)
    {
        var clock = new RunningClock(e.StartedAt, e.YellowAt, e.Deadline, e.Limit, Light.Green, e.Provisional, e.CalendarVersion);
        return this with
        {
            Clocks = Clocks.SetItem(e.Clock, clock),
            LastDisposalClock = e.Clock == ClockKind.Disposal ? clock : LastDisposalClock,
            Escalation = e.Clock == ClockKind.Disposal ? null : Escalation, // a fresh run escalates afresh
        };
    }
    private Case On(ClockStopped e) => this with
    {
        Clocks = Clocks.Remove(e.Clock), Escalation = e.Clock == ClockKind.Disposal ? null : Escalation,
    };
    private Case On(ClockDeadlineMoved e) => Clocks.TryGetValue(e.Clock, out var c)
        ? this with
        {
            Clocks = Clocks.SetItem(e.Clock, Moved(c, e)),
            LastDisposalClock = e.Clock == ClockKind.Disposal ? Moved(c, e) : LastDisposalClock,
        }
        : this;
    private static RunningClock Moved(RunningClock c, ClockDeadlineMoved e) =>
        c with { YellowAt = e.YellowAt, Deadline = e.Deadline, Provisional = e.Provisional, CalendarVersion = e.CalendarVersion };

    private Case On(SlaLightChanged e) => Clocks.TryGetValue(e.Clock, out var c)
        ? this with { Clocks = Clocks.SetItem(e.Clock, c with { Recorded = e.Light }) }
        : this;

    /// <summary>The state after one more event (the fold step; the version advances by one).</summary>
    public Case After(object @event) => (@event switch
    {
        CaseReported e => Start(e) with { Version = Version },
        CaseAccepted e => On(e),
        CaseRejected e => On(e),
        CaseDispatched e => On(e),
        CaseSigned e => On(e),
        CaseReturned e => On(e),
        ExtensionRequested e => On(e),
        ExtensionDecided e => On(e),
        CaseSuspended e => On(e),
        CaseResumed e => On(e),
        DisposalReported e => On(e),
        DisposalVerified e => On(e),
        CaseClosed e => On(e),
        CaseVoided e => On(e),
        CaseMerged e => On(e),
        CitizenNotified e => On(e),
        CitizenNoticeQueued e => On(e),
        CitizenNoticeFailed e => On(e),
        SatisfactionRecorded e => On(e),
        EvidenceAttached e => On(e),
        SensorAlarmCleared e => On(e),
        CitizenDataErased e => On(e),
        ClockStarted e => On(e),
        ClockStopped e => On(e),
        ClockDeadlineMoved e => On(e),
        SlaLightChanged e => On(e),
        ReturnRequested e => On(e),
        ReturnDecided e => On(e),
        SuspensionRequested e => On(e),
        SuspensionDecided e => On(e),
        ClosureReviewed e => On(e),
        CaseSupervised e => On(e),
        SupervisionAnswered e => On(e),
        SupervisionEscalationRescheduled e => On(e),
        CaseReopened e => On(e),
        VerificationAssigned e => this with { VerificationInspector = e.InspectorUserId },
        CaseAssigned e => this with { Assignee = e.AssigneeUserId },
        AssistingDepartmentAdded e => this with { AssistingDepartments = AssistingDepartments.Add(e.DepartmentCode) },
        _ => this,
    }) with { Version = Version + 1 };

    /// <summary>Folds a whole history; the first event must be the report.</summary>
    public static Case From(IEnumerable<object> history)
    {
        using var events = history.GetEnumerator();
        if (!events.MoveNext() || events.Current is not CaseReported reported)
            throw new ArgumentException("A case's history starts with CaseReported.", nameof(history));
        var state = Start(reported);
        while (events.MoveNext()) state = state.After(events.Current);
        return state;
    }
}

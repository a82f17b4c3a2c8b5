using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Evidence;
using CityCase.Domain.Notices;
using CityCase.Domain.Time;
using JasperFx.Events;
using Marten.Events.Aggregation;
using NodaTime;

namespace CityCase.Engine.Cases;

/// <summary>When each step of the loop last happened (null until it has).</summary>
public sealed class CaseTimeline
{
    public Instant ReportedAt { get; set; }
    public Instant? AcceptedAt { get; set; }
    public Instant? RejectedAt { get; set; }
    public Instant? DispatchedAt { get; set; }
    public Instant? SignedAt { get; set; }
    public Instant? DisposedAt { get; set; }
    public Instant? VerifiedAt { get; set; }
    public Instant? ClosedAt { get; set; }
    public Instant? VoidedAt { get; set; }
    public Instant? MergedAt { get; set; }
    public Instant? SuspendedAt { get; set; }
    public Instant? ResumedAt { get; set; }
    public Instant? ReopenedAt { get; set; }
}

/// <summary>A running clock as the case view shows it; the light recorded so far.</summary>
public sealed class CaseClockView
{
    public ClockKind Clock { get; set; }
    public Instant StartedAt { get; set; }
    public Instant YellowAt { get; set; }
    public Instant Deadline { get; set; }
    public Light RecordedLight { get; set; }

    /// <summary>Counted over a year whose official holidays were not loaded yet: it will be counted again once they are.</summary>
    public bool Provisional { get; set; }
}

/// <summary>A photo attached to the case: what its event recorded, and who attached it when.</summary>
public sealed class CaseAttachment
{
    public Guid Id { get; set; }
    public AttachmentKind Kind { get; set; }
    public string Sha256 { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long Size { get; set; }
    public Instant? TakenAt { get; set; }
    public Location? TakenWhere { get; set; }
    public Actor AttachedBy { get; set; } = new("", "", "");
    public Instant AttachedAt { get; set; }
}

public enum NoticeStatus
{
    Queued,
    Delivered,
    Failed,
}

/// <summary>A notice to the citizen sent through the notification gateway, and how it went.</summary>
public sealed class CaseNotice
{
    public string Id { get; set; } = "";
    public NotificationKind Kind { get; set; }
    public NoticeStatus Status { get; set; }
    public Actor QueuedBy { get; set; } = new("", "", "");
    public Instant QueuedAt { get; set; }
    public Instant? DeliveredAt { get; set; }
    public Instant? FailedAt { get; set; }
    public int? Attempts { get; set; }
    public string? FailureReason { get; set; }
}

/// <summary>The case as people see it; kept up to date inline, in the same transaction as its events.</summary>
public sealed class CaseView
{
    public Guid Id { get; set; }
    public string Number { get; set; } = "";
    public CaseStatus Status { get; set; }

    /// <summary>Still needs someone to act (not closed, rejected, voided or merged); stored so queries can filter on it.</summary>
    public bool IsOpen { get; set; } = true;

    public bool Suspended { get; set; }
    public CaseSource Source { get; set; }
    public string Description { get; set; } = "";
    public Location Location { get; set; } = new(0, 0, null);
    public string? CategoryCode { get; set; }
    public Urgency Urgency { get; set; }
    public string? GridCode { get; set; }
    public string? CommunityCode { get; set; }
    public string? StreetCode { get; set; }
    public string? DepartmentCode { get; set; }

    /// <summary>Every department the case was dispatched to or that assisted with it, in order, once each: who may read it.</summary>
    public List<string> Departments { get; set; } = [];

    /// <summary>The caller, sealed under this case's key (opened at the API edge for those allowed to see); null once erased.</summary>
    public SealedCitizen? Citizen { get; set; }

    /// <summary>Reporters of merged duplicates, each sealed under its own case's key: erasing that case erases it here too.</summary>
    public List<SealedCitizen> LinkedReporters { get; set; } = [];

    /// <summary>This case's own citizen is recorded and not erased: what the retention period looks for.</summary>
    public bool HoldsCitizenData { get; set; }

    public bool CitizenErased { get; set; }
    public Instant? CitizenErasedAt { get; set; }
    public List<string> PhotoUrls { get; set; } = [];

    /// <summary>An Open311 request's link to its media, as the partner gave it.</summary>
    public string? MediaUrl { get; set; }

    /// <summary>The citizen's answers to the category's questions (Open311 attributes).</summary>
    public List<CityCase.Domain.Reference.AttributeAnswer> Attributes { get; set; } = [];

    /// <summary>Uploaded photos (evidence), in the order they were attached.</summary>
    public List<CaseAttachment> Attachments { get; set; } = [];

    public SensorAlarm? Sensor { get; set; }
    public bool SensorCleared { get; set; }
    public Guid? MergedInto { get; set; }
    public List<Guid> MergedDuplicates { get; set; } = [];
    public string? DisposalResult { get; set; }
    public bool Verified { get; set; }
    public double? PendingExtensionHours { get; set; }
    public double ApprovedExtraWorkingHours { get; set; }
    public int Reworks { get; set; }
    public int Returns { get; set; }
    public int Extensions { get; set; }
    public int Supervisions { get; set; }
    public int SensorRepeats { get; set; }
    public bool AcceptanceNotified { get; set; }
    public bool CompletionNotified { get; set; }

    /// <summary>Notices sent (or being sent) through the notification gateway, in the order they were queued.</summary>
    public List<CaseNotice> Notices { get; set; } = [];

    public int? Satisfaction { get; set; }
    public Actor RecordedBy { get; set; } = new("", "", "");
    public CaseTimeline Timeline { get; set; } = new();
    public List<CaseClockView> Clocks { get; set; } = [];

    /// <summary>
    /// The dispatch queue's order in one sortable string: urgent first, then the soonest disposal
    /// deadline, then the case number. Stored (and indexed) so a page is one range scan.
    /// </summary>
    public string QueueKey { get; set; } = "";
    public Instant ReportedAt { get; set; }

    /// <summary>ReportedAt in Unix milliseconds, for range filters (Marten's LINQ compares numbers, not Instants).</summary>
    public long ReportedAtMs { get; set; }

    public Instant UpdatedAt { get; set; }

    /// <summary>When the case stopped being open (closed, rejected, voided, merged), in Unix ms; the retention period counts from it.</summary>
    public long? EndedAtMs { get; set; }

    public int Version { get; set; }

    // The loop's approvals, supervision and reopening (issue 16; CaseLoopView.cs folds them).

    /// <summary>The department's return request awaiting a dispatcher: its reason.</summary>
    public string? PendingReturnReason { get; set; }

    /// <summary>The department's suspension request awaiting a dispatcher: its reason.</summary>
    public string? PendingSuspensionReason { get; set; }

    public int Suspensions { get; set; }

    /// <summary>The city-level review before closing (结案审核) approved the current disposal.</summary>
    public bool ClosureApproved { get; set; }

    /// <summary>The supervisions the department has not answered yet.</summary>
    public List<OpenSupervision> OpenSupervisions { get; set; } = [];

    /// <summary>The highest level among them (null: none open); the supervisor's view filters on it.</summary>
    public SupervisionLevel? SupervisionLevel { get; set; }

    /// <summary>The earliest reply deadline among them, in Unix ms: the supervisor's view is ordered by it (overdue first).</summary>
    public long? SupervisionReplyDueMs { get; set; }

    public int SupervisionsAnsweredLate { get; set; }

    /// <summary>The automatic escalation's next level and when it is due (Unix ms); null when none is pending.</summary>
    public SupervisionLevel? EscalationLevel { get; set; }
    public long? EscalationDueMs { get; set; }

    public int Reopenings { get; set; }
    public int Notes { get; set; }

    /// <summary>The inspector the disposal's verification went to (their beat, the fallback, or a dispatcher's choice).</summary>
    public string? VerificationInspector { get; set; }

    /// <summary>The department's worker who holds the case (assignCase), and their name as the department gave it.</summary>
    public string? Assignee { get; set; }
    public string? AssigneeName { get; set; }

    /// <summary>Departments that assist the lead (协办): they may read the case and add notes.</summary>
    public List<string> AssistingDepartments { get; set; } = [];
}

public sealed partial class CaseViewProjection : SingleStreamProjection<CaseView, Guid>
{
    /// <summary>
    /// One event at a time, explicitly (not by Marten's naming conventions), so that the one-pass rebuild folds a
    /// stream with the very code the inline projection runs.
    /// </summary>
    public override CaseView? Evolve(CaseView? snapshot, Guid id, IEvent e)
    {
        if (e.Data is CaseReported reported) return snapshot ?? Started(reported);
        if (snapshot is not { } view) return null; // not a case's stream
        switch (e.Data)
        {
            case CaseAccepted x: On(view, x); break;
            case CaseRejected x: On(view, x); break;
            case CaseDispatched x: On(view, x); break;
            case CaseSigned x: On(view, x); break;
            case CaseReturned x: On(view, x); break;
            case ExtensionRequested x: On(view, x); break;
            case ExtensionDecided x: On(view, x); break;
            case CaseSuspended x: On(view, x); break;
            case CaseResumed x: On(view, x); break;
            case DisposalReported x: On(view, x); break;
            case DisposalVerified x: On(view, x); break;
            case CaseClosed x: On(view, x); break;
            case CaseVoided x: On(view, x); break;
            case CaseMerged x: On(view, x); break;
            case DuplicateMerged x: On(view, x); break;
            case CitizenNotified x: On(view, x); break;
            case CitizenNoticeQueued x: On(view, x); break;
            case CitizenNoticeFailed x: On(view, x); break;
            case SatisfactionRecorded x: On(view, x); break;
            case EvidenceAttached x: On(view, x); break;
            case CitizenDataErased x: On(view, x); break;
            case SensorAlarmRepeated x: On(view, x); break;
            case SensorAlarmCleared x: On(view, x); break;
            case ClockStarted x: On(view, x); break;
            case ClockStopped x: On(view, x); break;
            case ClockDeadlineMoved x: On(view, x); break;
            case SlaLightChanged x: On(view, x); break;
        }
        OnLoop(view, e.Data);
        return view;
    }

    private static CaseView Started(CaseReported e) => new()
    {
        Id = e.CaseId,
        Number = e.CaseNumber,
        Status = CaseStatus.Reported,
        Source = e.Source,
        Description = e.Description,
        Location = e.Location,
        CategoryCode = e.CategoryCode,
        GridCode = e.Place?.GridCode,
        CommunityCode = e.Place?.CommunityCode,
        StreetCode = e.Place?.StreetCode,
        Citizen = e.ReportedBy,
        HoldsCitizenData = e.ReportedBy is not null,
        PhotoUrls = [.. e.PhotoUrls ?? []],
        MediaUrl = e.MediaUrl,
        Attributes = [.. e.Attributes ?? []],
        Sensor = e.Sensor,
        RecordedBy = e.RecordedBy,
        ReportedAt = e.ReportedAt,
        ReportedAtMs = e.ReportedAt.ToUnixTimeMilliseconds(),
        UpdatedAt = e.ReportedAt,
        Timeline = new CaseTimeline { ReportedAt = e.ReportedAt },
    };

    private static void On(CaseView v, CaseAccepted e)
    {
        v.Status = CaseStatus.Accepted;
        v.CategoryCode = e.CategoryCode;
        v.Urgency = e.Urgency;
        v.Timeline.AcceptedAt = e.At;
    }

    private static void On(CaseView v, CaseRejected e) { v.Status = CaseStatus.Rejected; v.Timeline.RejectedAt = e.At; Ended(v, e); }

    private static void On(CaseView v, CaseDispatched e)
    {
        v.Status = CaseStatus.Dispatched;
        v.DepartmentCode = e.DepartmentCode;
        if (!v.Departments.Contains(e.DepartmentCode)) v.Departments.Add(e.DepartmentCode);
        v.Timeline.DispatchedAt = e.At;
    }

    private static void On(CaseView v, CaseSigned e) { v.Status = CaseStatus.InProgress; v.Timeline.SignedAt = e.At; }

    private static void On(CaseView v, CaseReturned e)
    {
        v.Status = CaseStatus.Accepted;
        v.DepartmentCode = null;
        v.PendingExtensionHours = null;
        v.Returns++;
    }

    private static void On(CaseView v, ExtensionRequested e) => v.PendingExtensionHours = e.ExtraWorkingHours;

    private static void On(CaseView v, ExtensionDecided e)
    {
        v.PendingExtensionHours = null;
        if (!e.Approved) return;
        v.Extensions++;
        v.ApprovedExtraWorkingHours += e.ExtraWorkingHours;
    }

    private static void On(CaseView v, CaseSuspended e) { v.Suspended = true; v.Timeline.SuspendedAt = e.At; }
    private static void On(CaseView v, CaseResumed e) { v.Suspended = false; v.Timeline.ResumedAt = e.At; }

    private static void On(CaseView v, DisposalReported e)
    {
        v.Status = CaseStatus.Disposed;
        v.DisposalResult = e.Result;
        v.Verified = false;
        v.PendingExtensionHours = null;
        v.PhotoUrls.AddRange(e.PhotoUrls);
        v.Timeline.DisposedAt = e.At;
    }

    private static void On(CaseView v, DisposalVerified e)
    {
        v.Timeline.VerifiedAt = e.At;
        if (e.Passed) v.Verified = true;
        else { v.Status = CaseStatus.InProgress; v.Reworks++; }
    }

    private static void On(CaseView v, CaseClosed e) { v.Status = CaseStatus.Closed; v.Timeline.ClosedAt = e.At; Ended(v, e); }
    private static void On(CaseView v, CaseVoided e) { v.Status = CaseStatus.Voided; v.Suspended = false; v.Timeline.VoidedAt = e.At; Ended(v, e); }

    /// <summary>The case left the loop (in the event itself, not the batch's metadata, so a rebuild gives the same time).</summary>
    private static void Ended(CaseView v, ICaseEvent e) => v.EndedAtMs ??= e.At.ToUnixTimeMilliseconds();

    private static void On(CaseView v, CaseMerged e)
    {
        v.Status = CaseStatus.Merged;
        v.MergedInto = e.IntoCaseId;
        v.Timeline.MergedAt = e.At;
        Ended(v, e);
    }

    private static void On(CaseView v, DuplicateMerged e)
    {
        v.MergedDuplicates.Add(e.DuplicateCaseId);
        if (e.Reporter is not null) v.LinkedReporters.Add(e.Reporter);
    }


    private static void On(CaseView v, CitizenNotified e)
    {
        if (e.Kind == NotificationKind.Acceptance) v.AcceptanceNotified = true;
        else if (e.Kind == NotificationKind.Completion) v.CompletionNotified = true;
        if (v.Notices.Find(n => n.Id == e.NoticeId) is { } notice) (notice.Status, notice.DeliveredAt) = (NoticeStatus.Delivered, e.At);
    }

    private static void On(CaseView v, CitizenNoticeQueued e) =>
        v.Notices.Add(new CaseNotice { Id = e.NoticeId, Kind = e.Kind, Status = NoticeStatus.Queued, QueuedBy = e.By, QueuedAt = e.At });

    private static void On(CaseView v, CitizenNoticeFailed e)
    {
        if (v.Notices.Find(n => n.Id == e.NoticeId) is not { } notice) return;
        (notice.Status, notice.FailedAt, notice.Attempts, notice.FailureReason) = (NoticeStatus.Failed, e.At, e.Attempts, e.Reason);
    }

    private static void On(CaseView v, SatisfactionRecorded e) => v.Satisfaction = e.Score;

    private static void On(CaseView v, EvidenceAttached e) => v.Attachments.AddRange(e.Photos.Select(p => new CaseAttachment
    {
        Id = p.AttachmentId, Kind = p.Kind, Sha256 = p.Sha256, ContentType = p.ContentType, Size = p.Size,
        TakenAt = p.TakenAt, TakenWhere = p.TakenWhere, AttachedBy = e.By, AttachedAt = e.At,
    }));

    private static void On(CaseView v, CitizenDataErased e)
    {
        v.Citizen = null;
        v.HoldsCitizenData = false;
        v.CitizenErased = true;
        v.CitizenErasedAt = e.At;
    }
    private static void On(CaseView v, SensorAlarmRepeated e) => v.SensorRepeats += e.Count; // older events: 1
    private static void On(CaseView v, SensorAlarmCleared e) => v.SensorCleared = true;

    private static void On(CaseView v, ClockStarted e)
    {
        v.Clocks.RemoveAll(c => c.Clock == e.Clock);
        v.Clocks.Add(new CaseClockView
        {
            Clock = e.Clock, StartedAt = e.StartedAt, YellowAt = e.YellowAt, Deadline = e.Deadline, Provisional = e.Provisional,
        });
    }

    private static void On(CaseView v, ClockStopped e) => v.Clocks.RemoveAll(c => c.Clock == e.Clock);

    private static void On(CaseView v, ClockDeadlineMoved e)
    {
        foreach (var c in v.Clocks.Where(c => c.Clock == e.Clock)) (c.YellowAt, c.Deadline, c.Provisional) = (e.YellowAt, e.Deadline, e.Provisional);
    }

    private static void On(CaseView v, SlaLightChanged e)
    {
        foreach (var c in v.Clocks.Where(c => c.Clock == e.Clock)) c.RecordedLight = e.Light;
    }

    /// <summary>After every event: the last-changed time, and whether the case is still open.</summary>
    public override CaseView ApplyMetadata(CaseView view, IEvent lastEvent)
    {
        if (lastEvent.Data is ICaseEvent e) view.UpdatedAt = e.At;
        view.IsOpen = view.Status.IsOpen();
        LoopDerived(view);
        var disposalDue = view.Clocks.FirstOrDefault(c => c.Clock == ClockKind.Disposal)?.Deadline.ToUnixTimeMilliseconds() ?? long.MaxValue / 1000;
        view.QueueKey = $"{(view.Urgency == Urgency.Urgent ? 0 : 1)}:{disposalDue:D16}:{view.Number}";
        return view;
    }
}

using System.Text.Json.Serialization;
using CityCase.Domain.Cases;
using CityCase.Domain.Time;
using NodaTime;

namespace CityCase.Domain.Assessment;

/// <summary>The kinds of daily bucket the assessment keeps: the scorecards' subjects (Department to Dispatcher, the GraphQL ScorecardDimension), the hotline figures and hot spots.</summary>
public enum BucketKind
{
    Department,
    Street,
    Community,
    Grid,
    Inspector,
    Dispatcher,
    Hotline,
    HotspotGrid,
    HotspotCommunity,
    HotspotStreet,
}

/// <summary>One bucket: a kind, a subject (a department code, a grid code, a user id…), an optional category and a local day.</summary>
public sealed record ScoreBucketKey(BucketKind Kind, string Subject, string Category, LocalDate Day)
{
    public const string AnyCategory = "";

    /// <summary>Stable text id, e.g. <c>Department|D03||2026-11-25</c>.</summary>
    public string Id => $"{Kind}|{Subject}|{Category}|{Day:yyyy-MM-dd}";
}

/// <summary>One dispatch of the case: who sent it where, when, whether on time, and whether it was sent back.</summary>
public sealed record DispatchFact(string DepartmentCode, string DispatcherId, Instant At, bool OnTime, bool Returned);

/// <summary>One on-site verification: by whom, when, whether within the verification limit.</summary>
public sealed record VerificationFact(string InspectorId, Instant At, bool OnTime);

/// <summary>What the scorecards need to know about the city beyond the events.</summary>
/// <param name="Calendar">Working time for handling times and notice limits; its zone decides the day of a fact.</param>
/// <param name="InspectorOfGrid">The inspector whose beat a grid is on (for missed reports).</param>
/// <param name="AcceptanceNotice">How long after the report the citizen must be told the case was accepted.</param>
public sealed record AssessmentRules(BusinessCalendar Calendar, IReadOnlyDictionary<string, string> InspectorOfGrid, Limit AcceptanceNotice);

/// <summary>
/// Everything the scorecards need to know about one case, folded from its events (pure), and the
/// counters it contributes to which daily buckets. The projection keeps this per case, so that when the
/// case changes it takes the old contribution out of the buckets and puts the new one in: a rework, a
/// return or a late closing then corrects the figures of the day the work was given, not of today.
/// </summary>
public sealed record CaseAssessment
{
    public Guid Id { get; init; }
    public CaseSource Source { get; init; }
    public Instant ReportedAt { get; init; }
    public string RecordedById { get; init; } = "";
    public CasePlace? Place { get; init; }
    public string? CategoryCode { get; init; }
    public bool Filed { get; init; }
    public bool Rejected { get; init; }

    /// <summary>Voided (filed by mistake) or merged into another case: it leaves every figure.</summary>
    public bool Withdrawn { get; init; }

    public bool Suspended { get; init; }
    public IReadOnlyList<DispatchFact> Dispatches { get; init; } = [];

    /// <summary>The running clocks' deadlines as last recorded (started, or moved by suspension or extension).</summary>
    public IReadOnlyDictionary<ClockKind, Instant> Deadlines { get; init; } = new Dictionary<ClockKind, Instant>();

    // What the department now responsible did (reset when a new dispatch starts).
    public Instant? DisposedAt { get; init; }
    public bool DisposedOnTime { get; init; }
    public bool Reworked { get; init; }
    public bool Extended { get; init; }
    public bool DisposalRed { get; init; }
    public int Supervisions { get; init; }
    public int SupervisionsAnsweredLate { get; init; }
    public bool Reopened { get; init; }

    public IReadOnlyList<VerificationFact> Verifications { get; init; } = [];
    public Instant? ClosedAt { get; init; }
    public bool ClosedOnTime { get; init; }
    public Instant? AcceptanceNotifiedAt { get; init; }
    public bool CompletionNotified { get; init; }
    public int NoticesFailed { get; init; }
    public int? Satisfaction { get; init; }

    /// <summary>The dispatch that holds the case now: the last one not sent back.</summary>
    [JsonIgnore]
    public DispatchFact? Responsible => Dispatches.Count > 0 && !Dispatches[^1].Returned ? Dispatches[^1] : null;

    public static CaseAssessment Start(CaseReported e) => new()
    {
        Id = e.CaseId,
        Source = e.Source,
        ReportedAt = e.ReportedAt,
        RecordedById = e.RecordedBy.UserId,
        Place = e.Place,
        CategoryCode = e.CategoryCode,
    };

    private bool OnTime(ClockKind clock, Instant at) => !Deadlines.TryGetValue(clock, out var due) || at <= due;

    private CaseAssessment WithDeadline(ClockKind clock, Instant? deadline)
    {
        var d = new Dictionary<ClockKind, Instant>(Deadlines);
        if (deadline is { } due) d[clock] = due; else d.Remove(clock);
        return this with { Deadlines = d };
    }

    /// <summary>The assessment after one more event of the case (events it does not need leave it as it is).</summary>
    public CaseAssessment After(object e) => e switch
    {
        CaseAccepted a => this with { Filed = true, CategoryCode = a.CategoryCode },
        CaseRejected => this with { Rejected = true },
        CaseVoided or CaseMerged => this with { Withdrawn = true },
        CaseDispatched d => this with
        {
            Dispatches = [.. Dispatches, new DispatchFact(d.DepartmentCode, d.By.UserId, d.At, OnTime(ClockKind.Dispatch, d.At), false)],
            DisposedAt = null, DisposedOnTime = false, Reworked = false, Extended = false, DisposalRed = false,
            Supervisions = 0, SupervisionsAnsweredLate = 0, Reopened = false,
        },
        CaseReturned when Dispatches.Count > 0 => this with { Dispatches = [.. Dispatches.SkipLast(1), Dispatches[^1] with { Returned = true }] },
        ExtensionDecided { Approved: true } => this with { Extended = true },
        CaseSuspended => this with { Suspended = true },
        CaseResumed => this with { Suspended = false },
        DisposalReported d => this with { DisposedAt = d.At, DisposedOnTime = OnTime(ClockKind.Disposal, d.At) },
        DisposalVerified v => (this with
        {
            Verifications = [.. Verifications, new VerificationFact(v.By.UserId, v.At, OnTime(ClockKind.Verification, v.At))],
        }) is var verified && v.Passed ? verified : verified with { DisposedAt = null, DisposedOnTime = false, Reworked = true },
        // Supervision and late answers count against the department holding the case; one before any dispatch counts for nobody.
        CaseSupervised when Responsible is not null => this with { Supervisions = Supervisions + 1 },
        SupervisionAnswered a when Responsible is not null => this with { SupervisionsAnsweredLate = SupervisionsAnsweredLate + a.Late },
        // A denied close review is rework, as a failed verification is.
        ClosureReviewed { Approved: false } => this with { DisposedAt = null, DisposedOnTime = false, Reworked = true },
        // Reopened (重办): the department's work is open again and counted against it; the case counts as closed once closed again.
        CaseReopened => this with
        {
            Reopened = true, DisposedAt = null, DisposedOnTime = false, ClosedAt = null, ClosedOnTime = false, CompletionNotified = false,
        },
        CaseClosed c => this with { ClosedAt = c.At, ClosedOnTime = DisposedOnTime && OnTime(ClockKind.Closing, c.At), Suspended = false },
        CitizenNotified { Kind: NotificationKind.Acceptance } n => this with { AcceptanceNotifiedAt = AcceptanceNotifiedAt ?? n.At },
        CitizenNotified { Kind: NotificationKind.Completion } => this with { CompletionNotified = true },
        Notices.CitizenNoticeFailed => this with { NoticesFailed = NoticesFailed + 1 },
        SatisfactionRecorded s => this with { Satisfaction = s.Score },
        ClockStarted c => (c.Clock == ClockKind.Disposal ? this with { DisposalRed = false } : this).WithDeadline(c.Clock, c.Deadline),
        ClockDeadlineMoved m => WithDeadline(m.Clock, m.Deadline),
        ClockStopped c => WithDeadline(c.Clock, null),
        SlaLightChanged { Clock: ClockKind.Disposal, Light: Light.Red } => this with { DisposalRed = true },
        _ => this,
    };

    /// <summary>
    /// The counters this case adds to each daily bucket, as of its events so far. See the README's
    /// "How a case is counted" for the rules in words; the comments below say which rule is which.
    /// </summary>
    public IReadOnlyDictionary<ScoreBucketKey, ScoreCounts> Contributions(AssessmentRules rules)
    {
        var result = new Dictionary<ScoreBucketKey, ScoreCounts>();
        if (Withdrawn) return result; // voided and merged cases leave every figure
        var zone = rules.Calendar.Zone;
        LocalDate DayOf(Instant at) => at.InZone(zone).Date;
        void Add(BucketKind kind, string? subject, Instant at, ScoreCounts counts, string category = ScoreBucketKey.AnyCategory)
        {
            if (string.IsNullOrEmpty(subject)) return;
            var key = new ScoreBucketKey(kind, subject, category, DayOf(at));
            result[key] = result.TryGetValue(key, out var sum) ? sum.Plus(counts) : counts;
        }
        void AddToPlace(Instant at, ScoreCounts counts)
        {
            Add(BucketKind.Street, Place?.StreetCode, at, counts);
            Add(BucketKind.Community, Place?.CommunityCode, at, counts);
            Add(BucketKind.Grid, Place?.GridCode, at, counts);
        }

        // Reports count on the day reported, for the place and, for patrol findings, for the inspector.
        AddToPlace(ReportedAt, new ScoreCounts { Reported = 1, Filed = Filed && !Rejected ? 1 : 0 });
        if (Source == CaseSource.Patrol)
            Add(BucketKind.Inspector, RecordedById, ReportedAt, new ScoreCounts { Reported = 1, Filed = Filed && !Rejected ? 1 : 0 });

        // A filed public report (hotline or Open311) in an inspector's beat is one the inspector missed.
        if (Source.IsCitizenReport() && Filed && Place is not null
            && rules.InspectorOfGrid.TryGetValue(Place.GridCode, out var beatInspector) && beatInspector != RecordedById)
            Add(BucketKind.Inspector, beatInspector, ReportedAt, new ScoreCounts { MissedReports = 1 });

        if (!Rejected)
            foreach (var (kind, code) in new[] { (BucketKind.HotspotGrid, Place?.GridCode), (BucketKind.HotspotCommunity, Place?.CommunityCode), (BucketKind.HotspotStreet, Place?.StreetCode) })
                Add(kind, code, ReportedAt, new ScoreCounts { Reported = 1 }, CategoryCode ?? ScoreBucketKey.AnyCategory);

        // Every dispatch counts for the dispatcher who made it, on its day; a dispatch sent back was not accurate.
        foreach (var d in Dispatches)
            Add(BucketKind.Dispatcher, d.DispatcherId, d.At, new ScoreCounts
            {
                Dispatched = 1, DispatchedOnTime = d.OnTime ? 1 : 0, DispatchedAccurately = d.Returned ? 0 : 1,
            });

        // The department now responsible answers for the case from the day it was dispatched there;
        // the place's street, community and grid carry the same figures.
        if (Responsible is { } work)
        {
            var disposed = DisposedAt is not null;
            var closed = ClosedAt is not null;
            var counts = new ScoreCounts
            {
                Dispatched = 1,
                ShouldDispose = 1,
                Disposed = disposed ? 1 : 0,
                DisposedOnTime = disposed && DisposedOnTime ? 1 : 0,
                ShouldClose = 1,
                Closed = closed ? 1 : 0,
                ClosedOnTime = closed && ClosedOnTime ? 1 : 0,
                Suspended = Suspended && !closed ? 1 : 0,
                Reworked = Reworked ? 1 : 0,
                OverdueOpen = DisposalRed && !disposed && !closed ? 1 : 0,
                Extended = Extended ? 1 : 0,
                Supervisions = Supervisions,
                SupervisionsAnsweredLate = SupervisionsAnsweredLate,
                Reopened = Reopened ? 1 : 0,
            };
            Add(BucketKind.Department, work.DepartmentCode, work.At, counts);
            AddToPlace(work.At, counts);
        }

        // Verifications count for the inspector who made them, on their day.
        foreach (var v in Verifications)
            Add(BucketKind.Inspector, v.InspectorId, v.At, new ScoreCounts { Verifications = 1, VerifiedOnTime = v.OnTime ? 1 : 0 });

        // Hotline figures count on the day the citizen called (the 12345 line's own figures: Open311 requests are not calls).
        if (Source == CaseSource.Hotline && !Rejected)
        {
            var calendar = rules.Calendar;
            var noticeDue = SlaLights.Schedule(calendar, ReportedAt, rules.AcceptanceNotice).RedAt;
            var closed = ClosedAt is { } closedAt;
            Add(BucketKind.Hotline, "city", ReportedAt, new ScoreCounts
            {
                HotlineCases = 1,
                AcceptanceNotifiedInTime = AcceptanceNotifiedAt is { } told && told <= noticeDue ? 1 : 0,
                HotlineClosed = closed ? 1 : 0,
                CompletionNotified = closed && CompletionNotified ? 1 : 0,
                HandlingWorkingMinutes = ClosedAt is { } end ? (long)calendar.WorkingTimeBetween(ReportedAt, end).TotalMinutes : 0,
                FollowedUp = closed && Satisfaction is not null ? 1 : 0,
                Satisfied = closed && Satisfaction >= 4 ? 1 : 0,
                NoticesFailed = NoticesFailed,
            });
        }
        return result;
    }
}

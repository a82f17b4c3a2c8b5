using System.Text.Json.Serialization;

namespace CityCase.Domain.Assessment;

/// <summary>
/// The counters behind every indicator, for one subject on one day. They add up, so a period's figures
/// are the sum of its days' buckets and a case's contribution can be taken back out when it changes.
/// </summary>
public sealed record ScoreCounts
{
    public int Reported { get; init; }
    public int Filed { get; init; }
    public int Dispatched { get; init; }
    public int DispatchedOnTime { get; init; }
    public int DispatchedAccurately { get; init; }
    public int ShouldDispose { get; init; }
    public int Disposed { get; init; }
    public int DisposedOnTime { get; init; }
    public int ShouldClose { get; init; }
    public int Closed { get; init; }
    public int ClosedOnTime { get; init; }
    public int Suspended { get; init; }
    public int Reworked { get; init; }
    public int OverdueOpen { get; init; }
    public int Extended { get; init; }
    public int Verifications { get; init; }
    public int VerifiedOnTime { get; init; }
    public int MissedReports { get; init; }
    public int HotlineCases { get; init; }
    public int AcceptanceNotifiedInTime { get; init; }
    public int HotlineClosed { get; init; }
    public int CompletionNotified { get; init; }
    public long HandlingWorkingMinutes { get; init; }
    public int FollowedUp { get; init; }
    public int Satisfied { get; init; }

    // Supervision (督办) and reopening (重办), counted against the department holding the case (issue 16).
    public int Supervisions { get; init; }
    public int SupervisionsAnsweredLate { get; init; }
    public int Reopened { get; init; }
    /// <summary>Notices to the citizen the gateway finally did not take (a notice not delivered is not "notified").</summary>
    public int NoticesFailed { get; init; }

    public static readonly ScoreCounts Zero = new();

    [JsonIgnore]
    public bool IsZero => this == Zero;

    public ScoreCounts Plus(ScoreCounts o, int sign = 1) => new()
    {
        Reported = Reported + sign * o.Reported,
        Filed = Filed + sign * o.Filed,
        Dispatched = Dispatched + sign * o.Dispatched,
        DispatchedOnTime = DispatchedOnTime + sign * o.DispatchedOnTime,
        DispatchedAccurately = DispatchedAccurately + sign * o.DispatchedAccurately,
        ShouldDispose = ShouldDispose + sign * o.ShouldDispose,
        Disposed = Disposed + sign * o.Disposed,
        DisposedOnTime = DisposedOnTime + sign * o.DisposedOnTime,
        ShouldClose = ShouldClose + sign * o.ShouldClose,
        Closed = Closed + sign * o.Closed,
        ClosedOnTime = ClosedOnTime + sign * o.ClosedOnTime,
        Suspended = Suspended + sign * o.Suspended,
        Reworked = Reworked + sign * o.Reworked,
        OverdueOpen = OverdueOpen + sign * o.OverdueOpen,
        Extended = Extended + sign * o.Extended,
        Verifications = Verifications + sign * o.Verifications,
        VerifiedOnTime = VerifiedOnTime + sign * o.VerifiedOnTime,
        MissedReports = MissedReports + sign * o.MissedReports,
        HotlineCases = HotlineCases + sign * o.HotlineCases,
        AcceptanceNotifiedInTime = AcceptanceNotifiedInTime + sign * o.AcceptanceNotifiedInTime,
        HotlineClosed = HotlineClosed + sign * o.HotlineClosed,
        CompletionNotified = CompletionNotified + sign * o.CompletionNotified,
        HandlingWorkingMinutes = HandlingWorkingMinutes + sign * o.HandlingWorkingMinutes,
        FollowedUp = FollowedUp + sign * o.FollowedUp,
        Satisfied = Satisfied + sign * o.Satisfied,
        Supervisions = Supervisions + sign * o.Supervisions,
        SupervisionsAnsweredLate = SupervisionsAnsweredLate + sign * o.SupervisionsAnsweredLate,
        Reopened = Reopened + sign * o.Reopened,
        NoticesFailed = NoticesFailed + sign * o.NoticesFailed,
    };

    public ScoreCounts Minus(ScoreCounts o) => Plus(o, -1);

    public static ScoreCounts Sum(IEnumerable<ScoreCounts> counts) => counts.Aggregate(Zero, (a, b) => a.Plus(b));
}

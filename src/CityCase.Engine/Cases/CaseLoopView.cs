using CityCase.Domain.Cases;
using CityCase.Domain.Time;

namespace CityCase.Engine.Cases;

/// <summary>The case view's side of the loop's approvals, supervision, reopening and notes (CaseLoopEvents.cs), folded after each event.</summary>
public sealed partial class CaseViewProjection
{
    private static void OnLoop(CaseView v, object e)
    {
        switch (e)
        {
            case ReturnRequested x: v.PendingReturnReason = x.Reason; break;
            case ReturnDecided: v.PendingReturnReason = null; break; // an approval's CaseReturned follows
            case SuspensionRequested x: v.PendingSuspensionReason = x.Reason; break;
            case SuspensionDecided: v.PendingSuspensionReason = null; break;
            case ClosureReviewed { Approved: true }: v.ClosureApproved = true; break;
            case ClosureReviewed: // denied: back to the department, like a failed verification
                v.Status = CaseStatus.InProgress;
                v.Verified = false;
                v.Reworks++;
                break;
            case CaseSupervised x:
                v.Supervisions++;
                v.OpenSupervisions.Add(new OpenSupervision(v.Supervisions, x.Level, x.ReplyDueAt));
                if (x.Automatic) (v.EscalationLevel, v.EscalationDueMs) = (x.NextLevel, x.NextAt?.ToUnixTimeMilliseconds());
                break;
            case SupervisionAnswered x:
                v.OpenSupervisions.RemoveAll(s => x.Answered.Contains(s.Number));
                v.SupervisionsAnsweredLate += x.Late;
                break;
            case SupervisionEscalationRescheduled x: (v.EscalationLevel, v.EscalationDueMs) = (x.NextLevel, x.NextAt.ToUnixTimeMilliseconds()); break;
            case CaseReopened x:
                v.Status = CaseStatus.InProgress;
                v.DepartmentCode = x.DepartmentCode;
                (v.Verified, v.ClosureApproved, v.Satisfaction, v.CompletionNotified) = (false, false, null, false);
                v.EndedAtMs = null; // open again: the retention period counts from the next end
                v.Reopenings++;
                v.Timeline.ReopenedAt = x.At;
                (v.Assignee, v.AssigneeName, v.VerificationInspector) = (null, null, null);
                break;
            case CaseNoteAdded: v.Notes++; break;
            case VerificationAssigned x: v.VerificationInspector = x.InspectorUserId; break;
            case CaseAssigned x: (v.Assignee, v.AssigneeName) = (x.AssigneeUserId, x.AssigneeName); break;
            case AssistingDepartmentAdded x:
                v.AssistingDepartments.Add(x.DepartmentCode);
                if (!v.Departments.Contains(x.DepartmentCode)) v.Departments.Add(x.DepartmentCode); // it may read the case from now on
                break;
            // Older events' side of the loop.
            case CaseReturned:
                v.PendingReturnReason = v.PendingSuspensionReason = null;
                (v.Assignee, v.AssigneeName) = (null, null);
                v.AssistingDepartments.Clear();
                break;
            case CaseSuspended: v.Suspensions++; v.PendingSuspensionReason = null; break;
            case DisposalReported: v.PendingReturnReason = v.PendingSuspensionReason = null; v.ClosureApproved = false; break;
            // A disposal clock that stops or starts afresh ends its escalation (as the decider's state does).
            case ClockStopped { Clock: ClockKind.Disposal } or ClockStarted { Clock: ClockKind.Disposal }:
                (v.EscalationLevel, v.EscalationDueMs) = (null, null);
                break;
        }
    }

    /// <summary>What the supervisor's view and the escalation poller read, derived once the events are folded.</summary>
    private static void LoopDerived(CaseView v)
    {
        var open = v.IsOpen ? v.OpenSupervisions : [];
        v.SupervisionLevel = open.Count == 0 ? null : open.Max(s => s.Level);
        v.SupervisionReplyDueMs = open.Count == 0 ? null : open.Min(s => s.ReplyDueAt?.ToUnixTimeMilliseconds() ?? long.MaxValue / 1000);
        if (!v.IsOpen) (v.EscalationLevel, v.EscalationDueMs) = (null, null);
    }
}

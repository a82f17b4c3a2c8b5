using CityCase.Engine.Lifecycle;
using JasperFx.Events.Projections;
using Marten;

namespace CityCase.Engine.Cases;

public static class CaseConfiguration
{
    /// <summary>
    /// The case view people read (inline: committed with the events) and the decider's write model (folded live
    /// on each command), with the indexes the queries use.
    /// </summary>
    public static StoreOptions AddCases(this StoreOptions opts)
    {
        opts.Projections.Add<CaseViewProjection>(ProjectionLifecycle.Inline, CityCaseEngine.LargePages);
        opts.Projections.Add<CaseWriteModelProjection>(ProjectionLifecycle.Live);
        opts.Schema.For<CaseView>().UniqueIndex(x => x.Number)
            // A street's or grid's cases in number order (the cases query's paging), and their lookup by code alone.
            .Index(x => new { x.StreetCode, x.Number }).Index(x => new { x.GridCode, x.Number })
            // A department's open cases: its queue page is one range scan, and the SLA board reads no closed case.
            .Index(x => new { x.DepartmentCode, x.IsOpen, x.QueueKey })
            .Index(x => x.Sensor!.SensorId) // a sensor's repeat finds its open case without a scan
            // The supervisor's view (open supervisions, soonest reply first) and the escalation poller read only the few
            // cases that have them: partial indexes, so that the rest cost nothing.
            .Index(x => x.SupervisionReplyDueMs, i => { i.Name = "mt_doc_caseview_idx_supervision_due"; i.Predicate = "(data ->> 'supervisionReplyDueMs') is not null"; })
            .Index(x => x.EscalationDueMs, i => { i.Name = "mt_doc_caseview_idx_escalation_due"; i.Predicate = Supervision.SupervisionEscalator.EscalationDue; })
            // myTasks: a worker's cases, an inspector's verifications and own findings.
            .Index(x => x.Assignee).Index(x => x.VerificationInspector).Index(x => x.RecordedBy.UserId);
        return opts;
    }
}

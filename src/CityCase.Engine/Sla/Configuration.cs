using JasperFx.Events.Projections;
using Marten;

namespace CityCase.Engine.Sla;

public static class SlaConfiguration
{
    /// <summary>One timer document per running clock, committed with the events; the timekeeper finds due ones by index.</summary>
    public static StoreOptions AddSlaTimers(this StoreOptions opts)
    {
        opts.Projections.Add<SlaTimerProjection>(ProjectionLifecycle.Inline, CityCaseEngine.LargePages);
        // Partial: a timer whose light is recorded up to that level, or whose clock is paused, is not in the index the
        // timekeeper scans, so sleeping timers cost its pass nothing (DueSlaTimers repeats these predicates).
        opts.Schema.For<SlaTimer>()
            .Index(x => x.YellowAtMs, i => { i.Name = "mt_doc_slatimer_idx_yellow_due"; i.Predicate = DueSlaTimers.YellowPredicate; })
            .Index(x => x.DeadlineMs, i => { i.Name = "mt_doc_slatimer_idx_red_due"; i.Predicate = DueSlaTimers.RedPredicate; })
            .Index(x => x.CaseId); // the SLA board joins a department's open cases to their timers
        return opts;
    }
}

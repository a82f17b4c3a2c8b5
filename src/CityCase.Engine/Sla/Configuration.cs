using JasperFx.Events.Projections;
using Marten;

namespace CityCase.Engine.Sla;

public static class SlaConfiguration
{
    /// <summary>One timer document per running clock, committed with the events; the timekeeper finds due ones by index.</summary>
    public static StoreOptions AddSlaTimers(this StoreOptions opts)
    {
        opts.Projections.Add<SlaTimerProjection>(ProjectionLifecycle.Inline, CityCaseEngine.LargePages);
        opts.Schema.For<SlaTimer>().Index(x => x.YellowAtMs).Index(x => x.DeadlineMs)
            .Index(x => x.CaseId); // the SLA board joins a department's open cases to their timers
        return opts;
    }
}

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
            .Index(x => x.Sensor!.SensorId); // a sensor's repeat finds its open case without a scan
        return opts;
    }
}

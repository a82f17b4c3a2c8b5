using CityCase.Domain.Assessment;
using JasperFx.Events.Projections;
using Marten.Schema.Indexing.Unique;
using Marten;

namespace CityCase.Engine.Assessment;

public static class AssessmentConfiguration
{
    /// <summary>
    /// The scorecards: one async projection keeping each case's assessment and the daily buckets, which
    /// queries sum on the (kind, day) index.
    /// Each version of the rules is a Marten projection version (its own shard, its own progress from event 0)
    /// writing its rows under its own tenant (conjoined tenancy), so versions are built side by side.
    /// </summary>
    public static StoreOptions AddScorecards(this StoreOptions opts, AssessmentRules rules, int rulesVersion, ScorecardVersionState versions)
    {
        opts.Projections.Add(new ScorecardProjection(rules, rulesVersion, versions), ProjectionLifecycle.Async, ScorecardProjection.Name, o =>
        {
            CityCaseEngine.LargePages(o);
            o.DeleteViewTypeOnTeardown<CaseAssessment>();
            o.DeleteViewTypeOnTeardown<ScoreBucket>();
        });
        // Version 1 keeps the shard name of before versioning (Scorecards:All); others are Scorecards:V2:All and so on.
        opts.Projections.All.OfType<ProjectionBase>().Single(p => p.Name == ScorecardProjection.Name).Version = (uint)rulesVersion;
        opts.Schema.For<CaseAssessment>().MultiTenanted();
        opts.Schema.For<ScoreBucket>().MultiTenanted();
        opts.Schema.For<ScorecardRules>();
        opts.Schema.For<ActiveScorecards>().UseOptimisticConcurrency(true); // the pointer moves once per switch, never back
        opts.RegisterDocumentType<CaseAssessment>();
        // Scorecards should follow the events within a fraction of a second; the poll is one tiny query.
        opts.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
        opts.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
        // With several nodes (HotCold), a node that is not the leader asks for the lock this often: the failover time.
        opts.Projections.LeadershipPollingTime = 1_000;
        opts.Schema.For<ScoreBucket>().Index(x => new { x.Kind, x.DayNumber }, i => i.TenancyScope = TenancyScope.PerTenant);
        return opts;
    }
}

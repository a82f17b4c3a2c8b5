using CityCase.Domain.Assessment;
using JasperFx.Events.Projections;
using Marten;

namespace CityCase.Engine.Assessment;

public static class AssessmentConfiguration
{
    /// <summary>
    /// The scorecards: one async projection keeping each case's assessment and the daily buckets, which
    /// queries sum on the (kind, day) index.
    /// </summary>
    public static StoreOptions AddScorecards(this StoreOptions opts, AssessmentRules rules)
    {
        opts.Projections.Add(new ScorecardProjection(rules), ProjectionLifecycle.Async, ScorecardProjection.Name, o =>
        {
            CityCaseEngine.LargePages(o);
            o.DeleteViewTypeOnTeardown<CaseAssessment>();
            o.DeleteViewTypeOnTeardown<ScoreBucket>();
        });
        opts.RegisterDocumentType<CaseAssessment>();
        // Scorecards should follow the events within a fraction of a second; the poll is one tiny query.
        opts.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
        opts.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
        // With several nodes (HotCold), a node that is not the leader asks for the lock this often: the failover time.
        opts.Projections.LeadershipPollingTime = 1_000;
        opts.Schema.For<ScoreBucket>().Index(x => new { x.Kind, x.DayNumber });
        return opts;
    }
}

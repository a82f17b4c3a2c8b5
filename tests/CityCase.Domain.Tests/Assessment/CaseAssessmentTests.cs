using CityCase.Domain.Assessment;
using CityCase.Domain.Cases;
using CityCase.Domain.Reference;
using CityCase.Domain.Tests.Time;
using CityCase.Domain.Time;
using NodaTime;
using static CityCase.Domain.Tests.Cases.CaseScenario;

namespace CityCase.Domain.Tests.Assessment;

/// <summary>Given a case's events, then these contributions to the daily buckets.</summary>
public sealed class CaseAssessmentTests
{
    private static readonly AssessmentRules Rules = new(TimeSamples.Calendar,
        new Dictionary<string, string> { ["310101001001001"] = "insp-01" }, new Limit(1, LimitUnit.WorkingDays));

    private static readonly LocalDate Tuesday = new(2026, 11, 24);

    private static CaseAssessment Given(params object[] events) =>
        events.Skip(1).Aggregate(CaseAssessment.Start((CaseReported)events[0]), (a, e) => a.After(e));

    private static ScoreCounts Bucket(CaseAssessment a, BucketKind kind, string subject, LocalDate? day = null, string category = "") =>
        a.Contributions(Rules).GetValueOrDefault(new ScoreBucketKey(kind, subject, category, day ?? Tuesday)) ?? ScoreCounts.Zero;

    [Fact]
    public void A_dispatched_case_is_held_against_the_department_from_the_day_of_its_dispatch()
    {
        var a = Given(AtDispatched);
        Assert.Equal(new ScoreCounts { Dispatched = 1, ShouldDispose = 1, ShouldClose = 1 }, Bucket(a, BucketKind.Department, "D02"));
        Assert.Equal(new ScoreCounts { Dispatched = 1, DispatchedOnTime = 1, DispatchedAccurately = 1 }, Bucket(a, BucketKind.Dispatcher, "dan"));
    }

    [Fact]
    public void A_closed_case_counts_as_disposed_and_closed_on_time_when_no_clock_ran_late()
    {
        var a = Given(AtClosed);
        var d02 = Bucket(a, BucketKind.Department, "D02");
        Assert.Equal((1, 1, 1, 1), (d02.Disposed, d02.DisposedOnTime, d02.Closed, d02.ClosedOnTime));
        Assert.Equal(new ScoreCounts { Verifications = 1, VerifiedOnTime = 1 }, Bucket(a, BucketKind.Inspector, "ivan"));
    }

    [Fact]
    public void A_disposal_after_its_recorded_deadline_is_not_on_time()
    {
        var deadline = T0 + Duration.FromHours(1);
        var a = Given([.. AtInProgress,
            new ClockStarted(Id, ClockKind.Disposal, T0, T0, deadline, new Limit(1, LimitUnit.WorkingHours), Dispatcher, T0),
            Disposed with { At = deadline + Duration.FromMinutes(1) }]);
        Assert.Equal((1, 0), (Bucket(a, BucketKind.Department, "D02").Disposed, Bucket(a, BucketKind.Department, "D02").DisposedOnTime));
    }

    [Fact]
    public void A_returned_case_leaves_the_department_that_sent_it_back_and_its_dispatch_was_not_accurate()
    {
        var a = Given([.. AtDispatched, new CaseReturned(Id, "D02", "Not ours", Roads, T0)]);
        Assert.Equal(ScoreCounts.Zero, Bucket(a, BucketKind.Department, "D02"));
        Assert.Equal(0, Bucket(a, BucketKind.Dispatcher, "dan").DispatchedAccurately);

        var redispatched = a.After(new CaseDispatched(Id, "D05", false, Dispatcher, T0));
        Assert.Equal(1, Bucket(redispatched, BucketKind.Department, "D05").ShouldDispose);
        Assert.Equal(new ScoreCounts { Dispatched = 2, DispatchedOnTime = 2, DispatchedAccurately = 1 }, Bucket(redispatched, BucketKind.Dispatcher, "dan"));
    }

    [Fact]
    public void A_failed_verification_is_rework_against_the_department_whose_disposal_failed()
    {
        var a = Given([.. AtDisposed, new DisposalVerified(Id, false, "Still broken", Inspector, T0)]);
        var d02 = Bucket(a, BucketKind.Department, "D02");
        Assert.Equal((0, 1), (d02.Disposed, d02.Reworked));
    }

    [Fact]
    public void Voided_and_merged_cases_leave_every_figure()
    {
        Assert.Empty(Given([.. AtDispatched, new CaseVoided(Id, "Mistake", Dispatcher, T0)]).Contributions(Rules));
        Assert.Empty(Given([.. AtAccepted, new CaseMerged(Id, Guid.NewGuid(), Dispatcher, T0)]).Contributions(Rules));
    }

    [Fact]
    public void A_suspended_case_is_counted_as_suspended_until_resumed()
    {
        var suspended = Given([.. AtInProgress, Suspended]);
        Assert.Equal(1, Bucket(suspended, BucketKind.Department, "D02").Suspended);
        Assert.Equal(0, Bucket(suspended.After(new CaseResumed(Id, "Done", Dispatcher, T0)), BucketKind.Department, "D02").Suspended);
    }

    [Fact]
    public void A_red_disposal_clock_is_overdue_until_the_disposal_is_reported()
    {
        var red = Given([.. AtInProgress, new SlaLightChanged(Id, ClockKind.Disposal, Light.Red, T0, CaseClocks.Timekeeper, T0)]);
        Assert.Equal(1, Bucket(red, BucketKind.Department, "D02").OverdueOpen);
        Assert.Equal(0, Bucket(red.After(Disposed), BucketKind.Department, "D02").OverdueOpen);
    }

    [Fact]
    public void A_filed_hotline_report_in_an_inspectors_beat_is_a_report_the_inspector_missed()
    {
        Assert.Equal(1, Bucket(Given(AtAccepted), BucketKind.Inspector, "insp-01").MissedReports);
        Assert.Equal(0, Bucket(Given(Reported), BucketKind.Inspector, "insp-01").MissedReports); // not filed (yet)
    }

    [Fact]
    public void The_hotline_counts_acceptance_notices_within_a_working_day_and_handling_time_in_working_minutes()
    {
        var told = TimeSamples.Local("2026-11-25 09:00");    // less than a working day after Tuesday 09:00
        var closed = TimeSamples.Local("2026-11-25 10:00");  // 7 h on Tuesday + 1.5 h on Wednesday
        var reported = Reported with { ReportedAt = TimeSamples.Local("2026-11-24 09:00") };
        var a = Given([reported, Accepted, new CitizenNotified(Id, NotificationKind.Acceptance, "SMS", Agent, told),
            Dispatched, Signed, Disposed, Verified, Closed with { At = closed }, new SatisfactionRecorded(Id, 4, null, Agent, closed)]);
        var hotline = Bucket(a, BucketKind.Hotline, "city");
        Assert.Equal((1, 1, 1, 510L, 1, 1), (hotline.HotlineCases, hotline.AcceptanceNotifiedInTime, hotline.HotlineClosed,
            hotline.HandlingWorkingMinutes, hotline.FollowedUp, hotline.Satisfied));

        var late = Given([reported, Accepted, new CitizenNotified(Id, NotificationKind.Acceptance, "SMS", Agent, TimeSamples.Local("2026-11-25 09:31"))]);
        Assert.Equal(0, Bucket(late, BucketKind.Hotline, "city").AcceptanceNotifiedInTime);
    }

    [Fact]
    public void Hot_spots_count_the_case_by_grid_community_and_street_under_its_category()
    {
        var a = Given(AtAccepted);
        Assert.Equal(1, Bucket(a, BucketKind.HotspotGrid, "310101001001001", category: "0201").Reported);
        Assert.Equal(1, Bucket(a, BucketKind.HotspotStreet, "310101001", category: "0201").Reported);
        Assert.DoesNotContain(Given([.. AtAccepted, new CaseRejected(Id, "No", Dispatcher, T0)]).Contributions(Rules),
            c => c.Key.Kind is BucketKind.HotspotGrid);
    }

    [Fact]
    public void The_composite_score_uses_the_weights_and_refuses_weights_that_do_not_add_up_to_100()
    {
        var counts = new ScoreCounts { ShouldDispose = 4, ShouldClose = 4, Disposed = 2, DisposedOnTime = 2, Reworked = 1, OverdueOpen = 1, Extended = 1 };
        Assert.Equal(62.5, Indicators.CompositeScore(counts, new CompositeWeights().Validated()));
        Assert.Equal(50.0, Indicators.CompositeScore(counts, new CompositeWeights(100, 0, 0, 0, 0).Validated()));
        Assert.Null(Indicators.CompositeScore(ScoreCounts.Zero, new CompositeWeights()));
        var e = Assert.Throws<ArgumentException>(() => new CompositeWeights(30, 20, 20, 20, 20).Validated());
        Assert.Contains("add up to 110", e.Message);
    }

    [Fact]
    public void Inspector_beats_must_name_grids_of_the_district_once_each()
    {
        var grids = new Dictionary<string, Grid>();
        var e = Assert.Throws<ReferenceDataException>(() => InspectorBeats.Parse(
            """{ "inspectors": [ { "userId": "insp-01", "name": "A", "gridCodes": ["999"] } ] }""", grids));
        Assert.Equal("inspectors.json: inspector insp-01: grid the text \"999\" is not a grid of the district", e.Message);
    }
}

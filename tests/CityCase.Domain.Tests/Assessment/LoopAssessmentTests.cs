using System.Text.Json.Nodes;
using CityCase.Domain.Assessment;
using CityCase.Domain.Cases;
using CityCase.Domain.Reference;
using CityCase.Domain.Tests.Reference;
using CityCase.Domain.Tests.Time;
using CityCase.Domain.Time;
using NodaTime;
using static CityCase.Domain.Tests.Cases.CaseScenario;

namespace CityCase.Domain.Tests.Assessment;

/// <summary>
/// How the loop's supervision, late answers, reopening and close review are counted, and the catalogue's
/// <c>closeReview</c> marks.
/// </summary>
public sealed class LoopAssessmentTests
{
    private static readonly AssessmentRules Rules = new(TimeSamples.Calendar, new Dictionary<string, string>(), new Limit(1, LimitUnit.WorkingDays));

    private static ScoreCounts D02(params object[] events) =>
        events.Skip(1).Aggregate(CaseAssessment.Start((CaseReported)events[0]), (a, e) => a.After(e)).Contributions(Rules)
            .GetValueOrDefault(new ScoreBucketKey(BucketKind.Department, "D02", "", new LocalDate(2026, 11, 24))) ?? ScoreCounts.Zero;

    private static readonly CaseSupervised Supervised = new(Id, "x", Supervisor, T0, SupervisionLevel.Supervision, T0 + Duration.FromHours(1), "D02");

    [Fact]
    public void Supervisions_and_late_answers_count_against_the_department_holding_the_case()
    {
        var counts = D02([.. AtInProgress, Supervised, Supervised, new SupervisionAnswered(Id, "D02", "ok", [1, 2], 1, Roads, T0)]);
        Assert.Equal((2, 1), (counts.Supervisions, counts.SupervisionsAnsweredLate));
        Assert.Equal(0.5, Indicators.LateAnswerRate(counts));
        Assert.Equal(2.0, Indicators.SupervisionRate(counts));
    }

    [Fact]
    public void A_supervision_before_any_dispatch_counts_for_nobody() =>
        Assert.Equal(0, D02([.. AtAccepted, Supervised with { DepartmentCode = null }, Dispatched]).Supervisions);

    [Fact]
    public void A_reopened_case_is_counted_against_its_department_and_no_longer_disposed_or_closed()
    {
        var counts = D02([.. AtClosed, new SatisfactionRecorded(Id, 2, null, Agent, T0), new CaseReopened(Id, "D02", "follow-up score 2", 2, Agent, T0)]);
        Assert.Equal((1, 0, 0), (counts.Reopened, counts.Disposed, counts.Closed));
        Assert.Equal(1.0, Indicators.ReopenRate(counts));
    }

    [Fact]
    public void A_denied_close_review_is_rework() =>
        Assert.Equal((1, 0), D02([.. AtVerified, new ClosureReviewed(Id, false, "not done", Supervisor, T0)]) is var c ? (c.Reworked, c.Disposed) : default);

    [Fact]
    public void The_composite_takes_the_reopen_and_late_answer_weights_when_a_city_gives_them()
    {
        var counts = new ScoreCounts { ShouldDispose = 2, Disposed = 2, DisposedOnTime = 2, ShouldClose = 2, Reopened = 1, Supervisions = 2, SupervisionsAnsweredLate = 2 };
        Assert.Equal(100, Indicators.CompositeScore(counts, new CompositeWeights())!.Value, 9);
        var weights = new CompositeWeights(30, 20, 10, 10, 10) { ReopenRate = 10, LateAnswerRate = 10 };
        Assert.Equal(30 + 20 + 10 + 10 + 10 + 5 + 0, Indicators.CompositeScore(counts, weights.Validated())!.Value, 9);
        Assert.Throws<ArgumentException>(() => (new CompositeWeights() with { ReopenRate = 10 }).Validated());
    }

    [Fact]
    public void The_catalogue_marks_the_urgencies_that_need_the_close_review()
    {
        var sample = ReferenceSample.Data;
        Assert.True(sample.NeedsCloseReview("1301", Urgency.Normal));
        Assert.True(sample.NeedsCloseReview("1501", Urgency.Urgent));
        Assert.False(sample.NeedsCloseReview("1501", Urgency.Normal));
        Assert.False(sample.NeedsCloseReview("1101", Urgency.Urgent));
    }

    [Theory]
    [InlineData("""["critical"]""", "is not one of normal, urgent")]
    [InlineData("""["urgent", "urgent"]""", "closeReview names 'urgent' twice")]
    [InlineData("\"urgent\"", "'closeReview' must be a list of urgencies (normal, urgent), not the text \"urgent\"")]
    public void A_bad_close_review_mark_names_the_category_and_the_problem(string value, string problem)
    {
        var files = ReferenceSample.With(ReferenceData.CategoriesFile, json => ReferenceSample.Category(json, "1101")["closeReview"] = JsonNode.Parse(value));
        var error = Assert.Throws<ReferenceDataException>(() => ReferenceData.Parse(files));
        Assert.Equal("category 1101", error.Entry);
        Assert.Contains(problem, error.Problem);
    }
}

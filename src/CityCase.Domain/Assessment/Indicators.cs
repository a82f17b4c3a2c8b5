namespace CityCase.Domain.Assessment;

/// <summary>
/// The weights of a department's composite score (one published scheme by default). They are
/// configuration (<c>City:Scorecard:Weights</c>) and must add up to 100, so the score is out of 100.
/// </summary>
public sealed record CompositeWeights(
    double DisposalRate = 30, double OnTimeDisposalRate = 20, double ReworkRate = 20, double OverdueRate = 20,
    double ExtensionRate = 10)
{
    /// <summary>Weight of (1 − reopen rate); 0 by default, so the published scheme's score is unchanged.</summary>
    public double ReopenRate { get; init; }

    /// <summary>Weight of (1 − late answer rate); 0 by default.</summary>
    public double LateAnswerRate { get; init; }

    /// <summary>Throws naming the problem when a weight is negative or the sum is not 100.</summary>
    public CompositeWeights Validated()
    {
        double[] all = [DisposalRate, OnTimeDisposalRate, ReworkRate, OverdueRate, ExtensionRate, ReopenRate, LateAnswerRate];
        if (all.Any(w => w < 0 || double.IsNaN(w)))
            throw new ArgumentException($"City:Scorecard:Weights must not be negative (got {this}).");
        if (Math.Abs(all.Sum() - 100) > 1e-9)
            throw new ArgumentException($"City:Scorecard:Weights must add up to 100 so the score is out of 100 (they add up to {all.Sum()}).");
        return this;
    }
}

/// <summary>The rates of domain.md from summed counters; null where the denominator is zero (nothing to judge).</summary>
public static class Indicators
{
    private static double? Rate(long numerator, long denominator) => denominator <= 0 ? null : (double)numerator / denominator;

    public static double? DisposalRate(ScoreCounts c) => Rate(c.Disposed, c.ShouldDispose);
    public static double? OnTimeDisposalRate(ScoreCounts c) => Rate(c.DisposedOnTime, c.ShouldDispose);

    /// <summary>Closed over what should be closed, less the cases suspended now (they leave the denominator).</summary>
    public static double? CloseRate(ScoreCounts c) => Rate(c.Closed, c.ShouldClose - c.Suspended);

    public static double? OnTimeCloseRate(ScoreCounts c) => Rate(c.ClosedOnTime, c.ShouldClose - c.Suspended);
    public static double? ReworkRate(ScoreCounts c) => Rate(c.Reworked, c.ShouldClose);
    public static double? OverdueRate(ScoreCounts c) => Rate(c.OverdueOpen, c.ShouldDispose);
    public static double? ExtensionRate(ScoreCounts c) => Rate(c.Extended, c.ShouldDispose);
    /// <summary>重办率: reopened / should be closed.</summary>
    public static double? ReopenRate(ScoreCounts c) => Rate(c.Reopened, c.ShouldClose);

    /// <summary>Supervisions answered after their reply deadline / supervisions.</summary>
    public static double? LateAnswerRate(ScoreCounts c) => Rate(c.SupervisionsAnsweredLate, c.Supervisions);

    /// <summary>Supervisions per case that should be disposed (a case may be supervised more than once).</summary>
    public static double? SupervisionRate(ScoreCounts c) => Rate(c.Supervisions, c.ShouldDispose);

    public static double? OnTimeDispatchRate(ScoreCounts c) => Rate(c.DispatchedOnTime, c.Dispatched);
    public static double? AccurateDispatchRate(ScoreCounts c) => Rate(c.DispatchedAccurately, c.Dispatched);
    public static double? ValidReportRate(ScoreCounts c) => Rate(c.Filed, c.Reported);
    public static double? OnTimeVerificationRate(ScoreCounts c) => Rate(c.VerifiedOnTime, c.Verifications);

    /// <summary>
    /// disposal × w1 + on-time disposal × w2 + (1 − rework) × w3 + (1 − overdue) × w4 + (1 − extension) × w5,
    /// out of 100; null when the department had nothing to dispose in the period.
    /// </summary>
    public static double? CompositeScore(ScoreCounts c, CompositeWeights w) =>
        c.ShouldDispose <= 0
            ? null
            : DisposalRate(c)!.Value * w.DisposalRate
              + OnTimeDisposalRate(c)!.Value * w.OnTimeDisposalRate
              + (1 - ReworkRate(c)!.Value) * w.ReworkRate
              + (1 - OverdueRate(c)!.Value) * w.OverdueRate
              + (1 - ExtensionRate(c)!.Value) * w.ExtensionRate
              + (1 - ReopenRate(c)!.Value) * w.ReopenRate
              + (1 - (LateAnswerRate(c) ?? 0)) * w.LateAnswerRate; // no supervision: nothing answered late

    public static double? AcceptanceNotifiedRate(ScoreCounts c) => Rate(c.AcceptanceNotifiedInTime, c.HotlineCases);
    public static double? CompletionNotifiedRate(ScoreCounts c) => Rate(c.CompletionNotified, c.HotlineClosed);

    /// <summary>Average working days from report to close of the closed hotline cases (a working day is the calendar's).</summary>
    public static double? AverageHandlingWorkingDays(ScoreCounts c, double workingDayMinutes) =>
        c.HotlineClosed <= 0 ? null : c.HandlingWorkingMinutes / workingDayMinutes / c.HotlineClosed;

    /// <summary>Share of follow-up scores of 4 or 5.</summary>
    public static double? SatisfactionRate(ScoreCounts c) => Rate(c.Satisfied, c.FollowedUp);

    public static double? FollowUpRate(ScoreCounts c) => Rate(c.FollowedUp, c.HotlineClosed);
}

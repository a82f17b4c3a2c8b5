using CityCase.Domain.Assessment;
using CityCase.Domain.Time;

namespace CityCase.Engine.Assessment;

/// <summary>The <c>City:Scorecard</c> section.</summary>
public sealed class ScorecardSettings
{
    /// <summary>The department composite score's weights (they must add up to 100).</summary>
    public CompositeWeightSettings Weights { get; set; } = new();

    /// <summary>How soon after the call the citizen must be told the case was accepted, in working days.</summary>
    public double AcceptanceNoticeWorkingDays { get; set; } = 1;

    /// <summary>How cases are counted: on the city's calendar, with the inspectors' beats (grid → inspector).</summary>
    public AssessmentRules ToRules(BusinessCalendar calendar, IReadOnlyDictionary<string, string> inspectorOfGrid) =>
        new(calendar, inspectorOfGrid, new Limit(AcceptanceNoticeWorkingDays, LimitUnit.WorkingDays));
}

public sealed class CompositeWeightSettings
{
    public double DisposalRate { get; set; } = 30;
    public double OnTimeDisposalRate { get; set; } = 20;
    public double ReworkRate { get; set; } = 20;
    public double OverdueRate { get; set; } = 20;
    public double ExtensionRate { get; set; } = 10;

    public CompositeWeights ToWeights() =>
        new CompositeWeights(DisposalRate, OnTimeDisposalRate, ReworkRate, OverdueRate, ExtensionRate).Validated();
}

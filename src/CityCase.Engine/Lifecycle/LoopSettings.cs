using CityCase.Domain.Cases;

namespace CityCase.Engine.Lifecycle;

/// <summary>The <c>City:Loop</c> section: limits on approvals, the close review's role, supervision and reopening.</summary>
public sealed class LoopSettings
{
    public int MaxReturns { get; set; } = LoopRules.Default.MaxReturns;
    public int MaxSuspensions { get; set; } = LoopRules.Default.MaxSuspensions;
    public string CloseReviewRole { get; set; } = LoopRules.Default.CloseReviewRole;
    public double SupervisionReplyWorkingHours { get; set; } = LoopRules.Default.SupervisionReplyWorkingHours;
    public int ReopenWithinDays { get; set; } = LoopRules.Default.ReopenWithinDays;
    public EscalationSettings Escalation { get; set; } = new();

    /// <summary>Who verifies a disposal where no inspector's beat (inspectors.json) holds the grid; none: a dispatcher assigns it.</summary>
    public string? FallbackInspector { get; set; }

    /// <summary>These rules, with the inspectors' beats (grid → inspector) that decide who verifies.</summary>
    public LoopRules ToRules(IReadOnlyDictionary<string, string> inspectorOfGrid) => new LoopRules
    {
        InspectorOfGrid = inspectorOfGrid,
        FallbackInspector = string.IsNullOrWhiteSpace(FallbackInspector) ? null : FallbackInspector.Trim(),
        MaxReturns = MaxReturns,
        MaxSuspensions = MaxSuspensions,
        CloseReviewRole = CloseReviewRole.Trim().ToLowerInvariant(),
        SupervisionReplyWorkingHours = SupervisionReplyWorkingHours,
        ReopenWithinDays = ReopenWithinDays,
        AutomaticEscalation = Escalation.Automatic,
        EscalationSteps = new Dictionary<SupervisionLevel, double>
        {
            [SupervisionLevel.Reminder] = Escalation.ReminderAfterWorkingHours,
            [SupervisionLevel.Supervision] = Escalation.SupervisionAfterWorkingHours,
            [SupervisionLevel.PublicListing] = Escalation.PublicListingAfterWorkingHours,
        },
    }.Validated();
}

/// <summary>
/// <c>City:Loop:Escalation</c>: whether a red disposal clock raises supervisions by itself, and each level's step in
/// working hours past the disposal deadline (the reminder is raised with the red light, so its step is 0).
/// </summary>
public sealed class EscalationSettings
{
    public bool Automatic { get; set; } = true;
    public double ReminderAfterWorkingHours { get; set; }
    public double SupervisionAfterWorkingHours { get; set; } = 8;
    public double PublicListingAfterWorkingHours { get; set; } = 24;
}

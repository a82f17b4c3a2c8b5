using CityCase.Domain.Cases;

namespace CityCase.Domain.Time;

/// <summary>The clocks a case runs (domain.md, "Time limits and clocks").</summary>
public enum ClockKind
{
    Filing,
    Dispatch,
    Signing,
    Disposal,
    Verification,
    Closing,
    Citizen,
}

/// <summary>
/// The city's time limits for the stage clocks and the hotline's citizen-facing clock; disposal limits
/// come from the category catalogue. Defaults follow the published examples in domain.md.
/// </summary>
public sealed record SlaPolicy(BusinessCalendar Calendar, Func<string, Urgency, Limit?> DisposalLimit)
{
    /// <summary>Which version of the city's calendar <see cref="Calendar"/> is (recorded with every deadline counted on it).</summary>
    public int CalendarVersion { get; init; }

    public Limit Filing { get; init; } = new(0.5, LimitUnit.WorkingHours);
    public Limit DispatchNormal { get; init; } = new(0.5, LimitUnit.WorkingHours);
    public Limit DispatchUrgent { get; init; } = new(10.0 / 60, LimitUnit.WorkingHours);
    public Limit Signing { get; init; } = new(1, LimitUnit.WorkingHours);
    public Limit Verification { get; init; } = new(1, LimitUnit.WorkingHours);
    public Limit Closing { get; init; } = new(1, LimitUnit.WorkingHours);
    public Limit Citizen { get; init; } = new(5, LimitUnit.WorkingDays);

    /// <summary>The loop's approvals, supervision steps and reopening window (<c>City:Loop</c>).</summary>
    public LoopRules Loop { get; init; } = LoopRules.Default;
}

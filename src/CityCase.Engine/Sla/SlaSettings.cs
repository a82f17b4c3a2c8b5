using CityCase.Domain.Reference;
using CityCase.Domain.Time;

namespace CityCase.Engine.Sla;

/// <summary>The <c>City:Sla</c> section: a city's own time limits for the stage clocks (domain.md's published examples by default).</summary>
public sealed class SlaLimitSettings
{
    public double FilingWorkingHours { get; set; } = 0.5;
    public double DispatchWorkingHours { get; set; } = 0.5;
    public double UrgentDispatchWorkingHours { get; set; } = 10.0 / 60;
    public double SigningWorkingHours { get; set; } = 1;
    public double VerificationWorkingHours { get; set; } = 1;
    public double ClosingWorkingHours { get; set; } = 1;
    public double CitizenWorkingDays { get; set; } = 5;

    /// <summary>The policy the clocks run on: these stage limits, and the catalogue's disposal limit per category and urgency.</summary>
    public SlaPolicy ToPolicy(BusinessCalendar calendar, ReferenceData reference) =>
        new(calendar, (category, urgency) =>
            reference.CategoriesByCode.TryGetValue(category, out var c) && c.DisposalLimits.TryGetValue(urgency, out var limit)
                ? limit
                : null)
        {
            Filing = new Limit(FilingWorkingHours, LimitUnit.WorkingHours),
            DispatchNormal = new Limit(DispatchWorkingHours, LimitUnit.WorkingHours),
            DispatchUrgent = new Limit(UrgentDispatchWorkingHours, LimitUnit.WorkingHours),
            Signing = new Limit(SigningWorkingHours, LimitUnit.WorkingHours),
            Verification = new Limit(VerificationWorkingHours, LimitUnit.WorkingHours),
            Closing = new Limit(ClosingWorkingHours, LimitUnit.WorkingHours),
            Citizen = new Limit(CitizenWorkingDays, LimitUnit.WorkingDays),
        };
}

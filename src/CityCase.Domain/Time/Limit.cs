namespace CityCase.Domain.Time;

/// <summary>How a time limit is counted: on the business calendar (working hours or days) or on the wall clock.</summary>
public enum LimitUnit
{
    /// <summary>Hours of working time on the business calendar.</summary>
    WorkingHours,

    /// <summary>Days' worth of working time: N × <see cref="BusinessCalendar.WorkingDay"/>, never N × 24 h.</summary>
    WorkingDays,

    /// <summary>Plain elapsed time, ignoring the calendar.</summary>
    NaturalHours,
}

/// <summary>A time limit as a city publishes it: "5 working hours", "1 working day", "2 hours" (natural time).</summary>
public sealed record Limit(double Amount, LimitUnit Unit);

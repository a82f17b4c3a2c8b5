using NodaTime;

namespace CityCase.Domain.Time;

public enum Light
{
    Green,
    Yellow,
    Red,
}

/// <summary>
/// When a clock turns yellow, and its deadline: the light is red at every instant after <see cref="RedAt"/>.
/// <see cref="Provisional"/>: the schedule counts working time over a provisional year (its official holidays
/// not yet published), so it may move when that year becomes official (<see cref="SlaLights.Rescheduled"/>).
/// </summary>
public readonly record struct SlaSchedule(Instant YellowAt, Instant RedAt, bool Provisional = false)
{
    /// <summary>The two instants alone (<c>var (yellowAt, redAt) = schedule</c>), as before the provisional flag.</summary>
    public void Deconstruct(out Instant yellowAt, out Instant redAt) => (yellowAt, redAt) = (YellowAt, RedAt);
}

/// <summary>
/// The traffic lights of a clock (domain.md), stated once: green below 80 % of the limit used, yellow from 80 %
/// up to and including 100 % (exactly 100 % is still yellow), red past 100 %. Everything that shows or records
/// a light (the decider, the timers, the clocks a query shows) asks <see cref="LightAt"/>.
/// </summary>
/// <remarks>
/// <para>"Used" is working time elapsed since the start (<see cref="BusinessCalendar.WorkingTimeBetween"/>) for
/// working-hour and working-day limits, and plain elapsed time for natural-hour limits.</para>
/// <para>Rounding: the yellow mark is 80 % of the limit rounded to the nearest whole minute (halves away from
/// zero; a whole-minute limit never has a half), so light changes fall on the minute. The red mark is the
/// limit itself, unrounded: <see cref="SlaSchedule.RedAt"/> is the deadline.</para>
/// <para>The light at an instant compares the instant with the schedule: yellow from YellowAt on, red strictly
/// after RedAt. When the deadline falls at the end of a working period (12:00), the share used stays at exactly
/// 100 % over the following break, yet the deadline has passed, so the clock is already red from 12:00 + ε:
/// what a supervisor expects of an overdue case.</para>
/// </remarks>
public static class SlaLights
{
    public const double YellowShare = 0.8;

    /// <summary>The time used after which the light turns yellow: 80 % of the limit, in whole minutes.</summary>
    public static Duration YellowMark(Duration limit) =>
        Duration.FromMinutes(Math.Round(limit.TotalMinutes * YellowShare, MidpointRounding.AwayFromZero));

    /// <summary>
    /// The yellow and red instants of a limit started at <paramref name="start"/>: working hours and working days
    /// count working time (a working day is <see cref="BusinessCalendar.WorkingDayOn"/> the start's date), natural
    /// hours elapsed time. A working-time schedule is <see cref="SlaSchedule.Provisional"/> when any date from the
    /// start to the deadline lies in a provisional year (<see cref="BusinessCalendar.IsProvisionalBetween"/>);
    /// a natural-hour schedule never is.
    /// </summary>
    public static SlaSchedule Schedule(BusinessCalendar calendar, Instant start, Limit limit)
    {
        if (limit.Unit == LimitUnit.NaturalHours)
        {
            var elapsed = Duration.FromHours(limit.Amount);
            return new(start + YellowMark(elapsed), start + elapsed);
        }
        var working = calendar.LimitAsWorkingTime(limit.Amount, limit.Unit, start);
        var redAt = calendar.AddWorkingTime(start, working);
        return new(calendar.AddWorkingTime(start, YellowMark(working)), redAt, calendar.IsProvisionalBetween(start, redAt));
    }

    /// <summary>
    /// A working-time schedule moved onto a new calendar: the same working time from <paramref name="startedAt"/>
    /// to yellow and to red as <paramref name="old"/> had on <paramref name="previous"/>, counted again on
    /// <paramref name="current"/>, with <see cref="SlaSchedule.Provisional"/> recomputed on <paramref name="current"/>.
    /// Used when a provisional year becomes official (the State Council's notice is out): a deadline counted over
    /// the provisional year moves by exactly the days the notice adds or takes away. A deadline already under
    /// official years, the same in both calendars, does not move. Only for working-time limits: a natural-hour
    /// schedule does not depend on the calendar and must not be passed here.
    /// </summary>
    public static SlaSchedule Rescheduled(BusinessCalendar previous, BusinessCalendar current, Instant startedAt, SlaSchedule old)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(current);
        var yellowAt = current.AddWorkingTime(startedAt, previous.WorkingTimeBetween(startedAt, old.YellowAt));
        var redAt = current.AddWorkingTime(startedAt, previous.WorkingTimeBetween(startedAt, old.RedAt));
        return new(yellowAt, redAt, current.IsProvisionalBetween(startedAt, redAt));
    }

    /// <summary>The light at <paramref name="now"/> of a schedule: red after RedAt, yellow from YellowAt, else green.</summary>
    public static Light LightAt(SlaSchedule schedule, Instant now) =>
        now > schedule.RedAt ? Light.Red : now >= schedule.YellowAt ? Light.Yellow : Light.Green;
}

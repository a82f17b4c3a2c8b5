using NodaTime;

namespace CityCase.Domain.Time;

public enum Light
{
    Green,
    Yellow,
    Red,
}

/// <summary>When a clock turns yellow, and its deadline: the light is red at every instant after <see cref="RedAt"/>.</summary>
public readonly record struct SlaSchedule(Instant YellowAt, Instant RedAt);

/// <summary>
/// The traffic lights of a clock (domain.md): green below 80 % of the limit used, yellow from 80 % up to and
/// including 100 % (exactly 100 % is still yellow), red past 100 %.
/// </summary>
/// <remarks>
/// <para>"Used" is working time elapsed since the start (<see cref="BusinessCalendar.WorkingTimeBetween"/>) for
/// working-hour and working-day limits, and plain elapsed time for natural-hour limits.</para>
/// <para>Rounding: the yellow mark is 80 % of the limit rounded to the nearest whole minute (halves away from
/// zero; a whole-minute limit never has a half), so light changes fall on the minute. The red mark is the
/// limit itself, unrounded: <see cref="RedAt"/> is the deadline.</para>
/// <para>A light at an instant (<see cref="LightAt(BusinessCalendar, Instant, Duration, Instant)"/>) compares
/// the instant with the schedule: yellow from <see cref="YellowAt"/> on, red strictly after <see cref="RedAt"/>.
/// This is <see cref="LightFor"/> of the working time used, with one difference: when the deadline falls at the
/// end of a working period (12:00), the share used stays at exactly 100 % over the following break, up to the
/// instant work resumes (13:30), yet the deadline has passed, so the clock is already red from 12:00 + ε — the
/// same rule the timers and the SLA board apply (red when now &gt; deadline), and what a supervisor expects of an
/// overdue case.</para>
/// </remarks>
public static class SlaLights
{
    public const double YellowShare = 0.8;

    /// <summary>The share of the limit used (1.0 = 100 %); a zero limit counts as used up as soon as anything is used.</summary>
    public static double UsedShare(Duration used, Duration limit) =>
        limit > Duration.Zero ? used.TotalNanoseconds / limit.TotalNanoseconds
        : used > Duration.Zero ? double.PositiveInfinity : 0;

    /// <summary>The light for a share of the limit used: green below 80 %, yellow from 80 % to 100 % inclusive, red past it.</summary>
    public static Light LightFor(Duration used, Duration limit)
    {
        if (limit <= Duration.Zero) return used > Duration.Zero ? Light.Red : Light.Green;
        if (used > limit) return Light.Red;
        return used >= YellowMark(limit) ? Light.Yellow : Light.Green;
    }

    /// <summary>The time used after which the light turns yellow: 80 % of the limit, in whole minutes.</summary>
    public static Duration YellowMark(Duration limit) =>
        Duration.FromMinutes(Math.Round(limit.TotalMinutes * YellowShare, MidpointRounding.AwayFromZero));

    // ---- working-time clocks (working hours, working days) ----

    /// <summary>The instant a working-time clock turns yellow: the yellow mark of working time after the start.</summary>
    public static Instant YellowAt(BusinessCalendar calendar, Instant start, Duration limit) =>
        calendar.AddWorkingTime(start, YellowMark(limit));

    /// <summary>The deadline of a working-time clock: the light is red at every instant after it.</summary>
    public static Instant RedAt(BusinessCalendar calendar, Instant start, Duration limit) =>
        calendar.AddWorkingTime(start, limit);

    /// <summary>When a working-time clock turns yellow, and the deadline after which it is red.</summary>
    public static (Instant YellowAt, Instant Deadline) Thresholds(BusinessCalendar calendar, Instant start, Duration limit) =>
        (YellowAt(calendar, start, limit), RedAt(calendar, start, limit));

    /// <summary>The share of a working-time limit used at <paramref name="now"/>.</summary>
    public static double UsedShare(BusinessCalendar calendar, Instant start, Duration limit, Instant now) =>
        UsedShare(calendar.WorkingTimeBetween(start, now), limit);

    /// <summary>The light of a working-time clock at <paramref name="now"/> (see the remarks for a deadline at a break).</summary>
    public static Light LightAt(BusinessCalendar calendar, Instant start, Duration limit, Instant now) =>
        LightAt(Schedule(calendar, start, limit), now);

    // ---- natural-time clocks (natural hours): the same on plain elapsed time ----

    /// <summary>The instant a natural-time clock turns yellow: 80 % of the limit (whole minutes) after the start.</summary>
    public static Instant YellowAtElapsed(Instant start, Duration limit) => start + YellowMark(limit);

    /// <summary>The deadline of a natural-time clock: the start plus the limit.</summary>
    public static Instant RedAtElapsed(Instant start, Duration limit) => start + limit;

    /// <summary>The light of a natural-time clock at <paramref name="now"/>.</summary>
    public static Light LightAtElapsed(Instant start, Duration limit, Instant now) =>
        LightFor(now > start ? now - start : Duration.Zero, limit);

    // ---- any limit ----

    /// <summary>
    /// The yellow and red instants of a limit started at <paramref name="start"/>: working hours and working days
    /// count working time (a working day is <see cref="BusinessCalendar.WorkingDay"/>), natural hours elapsed time.
    /// </summary>
    public static SlaSchedule Schedule(BusinessCalendar calendar, Instant start, Limit limit) =>
        limit.Unit == LimitUnit.NaturalHours
            ? ScheduleElapsed(start, Duration.FromHours(limit.Amount))
            : Schedule(calendar, start, calendar.LimitAsWorkingTime(limit.Amount, limit.Unit));

    /// <summary>The yellow and red instants of a working-time limit.</summary>
    public static SlaSchedule Schedule(BusinessCalendar calendar, Instant start, Duration workingLimit) =>
        new(YellowAt(calendar, start, workingLimit), RedAt(calendar, start, workingLimit));

    /// <summary>The yellow and red instants of a natural-time limit.</summary>
    public static SlaSchedule ScheduleElapsed(Instant start, Duration limit) =>
        new(YellowAtElapsed(start, limit), RedAtElapsed(start, limit));

    /// <summary>The light of a limit started at <paramref name="start"/>, at <paramref name="now"/>.</summary>
    public static Light LightAt(BusinessCalendar calendar, Instant start, Limit limit, Instant now) =>
        LightAt(Schedule(calendar, start, limit), now);

    /// <summary>The light at <paramref name="now"/> of a schedule: red after RedAt, yellow from YellowAt, else green.</summary>
    public static Light LightAt(SlaSchedule schedule, Instant now) =>
        now > schedule.RedAt ? Light.Red : now >= schedule.YellowAt ? Light.Yellow : Light.Green;
}

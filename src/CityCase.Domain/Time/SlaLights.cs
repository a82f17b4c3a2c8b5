using NodaTime;

namespace CityCase.Domain.Time;

public enum Light
{
    Green,
    Yellow,
    Red,
}

/// <summary>
/// The traffic lights of a clock: green below 80 % of the limit used, yellow from 80 % up to and including
/// 100 %, red past 100 %. The 80 % mark is rounded to whole minutes, so schedules fall on the minute.
/// </summary>
public static class SlaLights
{
    public const double YellowShare = 0.8;

    public static Light LightFor(Duration used, Duration limit)
    {
        if (limit <= Duration.Zero) return used > Duration.Zero ? Light.Red : Light.Green;
        if (used > limit) return Light.Red;
        return used >= YellowMark(limit) ? Light.Yellow : Light.Green;
    }

    /// <summary>The working time after which the light turns yellow: 80 % of the limit, whole minutes.</summary>
    public static Duration YellowMark(Duration limit) => Duration.FromMinutes(Math.Round(limit.TotalMinutes * YellowShare));

    /// <summary>The light of a working-time clock at <paramref name="now"/>.</summary>
    public static Light LightAt(BusinessCalendar calendar, Instant start, Duration limit, Instant now) =>
        LightFor(calendar.WorkingTimeBetween(start, now), limit);

    /// <summary>When a working-time clock turns yellow, and the deadline after which it is red.</summary>
    public static (Instant YellowAt, Instant Deadline) Thresholds(BusinessCalendar calendar, Instant start, Duration limit) =>
        (calendar.AddWorkingTime(start, YellowMark(limit)), calendar.AddWorkingTime(start, limit));
}

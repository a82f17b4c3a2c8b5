using CityCase.Domain.Time;
using NodaTime;
using static CityCase.Domain.Tests.Time.TimeSamples;

namespace CityCase.Domain.Tests.Time;

/// <summary>Green below 80 % of the limit used, yellow from 80 % up to and including 100 %, red past 100 %.</summary>
public sealed class SlaLightsTests
{
    /// <summary>domain.md's rule on the share of the limit used, stated independently as the tests' oracle.</summary>
    private static Light LightFor(Duration used, Duration limit) =>
        used > limit ? Light.Red : used.TotalMinutes >= Math.Round(limit.TotalMinutes * 0.8, MidpointRounding.AwayFromZero) ? Light.Yellow : Light.Green;

    private static double UsedShare(Instant start, Duration limit, Instant now) =>
        Calendar.WorkingTimeBetween(start, now).TotalNanoseconds / limit.TotalNanoseconds;

    /// <summary>The light the clocks show: the schedule of the limit, then <see cref="SlaLights.LightAt"/>.</summary>
    private static Light LightAt(Instant start, Limit limit, Instant now) => SlaLights.LightAt(SlaLights.Schedule(Calendar, start, limit), now);

    private static readonly Limit FiveWorkingHours = new(5, LimitUnit.WorkingHours);

    [Theory]
    [InlineData(0, Light.Green)]
    [InlineData(79, Light.Green)]
    [InlineData(80, Light.Yellow)]
    [InlineData(99, Light.Yellow)]
    [InlineData(100, Light.Yellow)] // exactly 100 % is still yellow
    [InlineData(101, Light.Red)]
    public void The_light_of_a_share_used(int usedMinutesOf100, Light expected) =>
        Assert.Equal(expected, LightFor(Duration.FromMinutes(usedMinutesOf100), Duration.FromMinutes(100)));

    [Theory]
    // 5 working hours (300 min) from Tuesday 08:30: 79 % = 237 min, 80 % = 240, 100 % = 300, 100 % + 1 min
    [InlineData("2026-11-24 13:57", 0.79, Light.Green)]
    [InlineData("2026-11-24 14:00", 0.80, Light.Yellow)]
    [InlineData("2026-11-24 15:00", 1.00, Light.Yellow)]
    [InlineData("2026-11-24 15:01", 301.0 / 300, Light.Red)]
    // over lunch at 70 % nothing moves
    [InlineData("2026-11-24 12:00", 0.70, Light.Green)]
    [InlineData("2026-11-24 13:29", 0.70, Light.Green)]
    public void Thresholds_at_79_80_100_and_100_percent_plus_a_minute(string now, double share, Light expected)
    {
        var start = Local("2026-11-24 08:30");
        var limit = Duration.FromHours(5);
        Assert.Equal(share, UsedShare(start, limit, Local(now)), 9);
        Assert.Equal(expected, LightFor(Calendar.WorkingTimeBetween(start, Local(now)), limit));
        Assert.Equal(expected, LightAt(start, FiveWorkingHours, Local(now)));
    }

    [Theory]
    // limit in minutes → the yellow mark (80 %, whole minutes, nearest)
    [InlineData(450, 360)] // 1 working day
    [InlineData(300, 240)]
    [InlineData(30, 24)]
    [InlineData(10, 8)]    // urgent dispatch
    [InlineData(7, 6)]     // 5.6 → 6
    [InlineData(3, 2)]     // 2.4 → 2
    [InlineData(1, 1)]     // 0.8 → 1
    public void The_yellow_mark_is_80_percent_rounded_to_whole_minutes(int limitMinutes, int markMinutes) =>
        Assert.Equal(Duration.FromMinutes(markMinutes), SlaLights.YellowMark(Duration.FromMinutes(limitMinutes)));

    [Theory]
    // Friday 16:00, 5 working hours: yellow at 240 working minutes (90 Fri + 150 Mon), red after 300 (Mon 12:00)
    [InlineData("2026-11-27 16:00", 5, LimitUnit.WorkingHours, "2026-11-30 11:00", "2026-11-30 12:00")]
    // Friday 16:00, 1 working day: yellow at 360 (Mon 14:30), red after 450 (Mon 16:00)
    [InlineData("2026-11-27 16:00", 1, LimitUnit.WorkingDays, "2026-11-30 14:30", "2026-11-30 16:00")]
    // before the National Day week, 1 working day: 210 min on Sep 30, the rest after the holidays
    [InlineData("2026-09-30 14:00", 1, LimitUnit.WorkingDays, "2026-10-08 11:00", "2026-10-08 14:00")]
    // 2 natural hours from Friday 16:00: elapsed time, 96 minutes to yellow
    [InlineData("2026-11-27 16:00", 2, LimitUnit.NaturalHours, "2026-11-27 17:36", "2026-11-27 18:00")]
    // 2 natural hours on a Saturday night: the calendar does not matter
    [InlineData("2026-11-28 23:00", 2, LimitUnit.NaturalHours, "2026-11-29 00:36", "2026-11-29 01:00")]
    public void The_light_changes_are_scheduled(string start, double amount, LimitUnit unit, string yellowAt, string redAt)
    {
        var limit = new Limit(amount, unit);
        var schedule = SlaLights.Schedule(Calendar, Local(start), limit);
        Assert.Equal((yellowAt, redAt), (Show(schedule.YellowAt), Show(schedule.RedAt)));
        Assert.Equal(Light.Green, LightAt(Local(start), limit, schedule.YellowAt - Duration.FromMinutes(1)));
        Assert.Equal(Light.Yellow, LightAt(Local(start), limit, schedule.YellowAt));
        Assert.Equal(Light.Yellow, LightAt(Local(start), limit, schedule.RedAt));
        Assert.Equal(Light.Red, LightAt(Local(start), limit, schedule.RedAt + Duration.FromMinutes(1)));
    }

    [Fact]
    public void A_deadline_at_the_start_of_lunch_is_red_over_lunch_although_no_working_time_passes()
    {
        // 5 working hours from Friday 16:00 end at Monday 12:00. Over lunch the share used stays at exactly
        // 100 % (yellow by share), but the deadline has passed: the clock is red, as the timers record it.
        var start = Local("2026-11-27 16:00");
        var limit = Duration.FromHours(5);
        var lunch = Local("2026-11-30 12:30");
        Assert.Equal(1.0, UsedShare(start, limit, lunch));
        Assert.Equal(Light.Yellow, LightFor(Calendar.WorkingTimeBetween(start, lunch), limit));
        Assert.Equal(Light.Red, LightAt(start, FiveWorkingHours, lunch));
        Assert.Equal(Light.Red, LightAt(start, FiveWorkingHours, Local("2026-11-30 13:31")));
    }

    [Fact]
    public void Yellow_and_red_agree_with_the_share_at_every_working_minute()
    {
        var start = Local("2026-11-27 16:00");
        var limit = Calendar.WorkingDay;
        var oneWorkingDay = new Limit(1, LimitUnit.WorkingDays);
        for (var now = start; now < start + Duration.FromDays(5); now += Duration.FromMinutes(1))
            if (Calendar.IsWorkingTime(now))
                Assert.Equal(LightFor(Calendar.WorkingTimeBetween(start, now), limit), LightAt(start, oneWorkingDay, now));
    }
}

using CityCase.Domain.Time;
using NodaTime;
using NodaTime.Text;

namespace CityCase.Domain.Tests.Time;

/// <summary>
/// Zones with daylight saving time: every working duration is real elapsed time. New York springs forward on
/// 2026-03-08 (02:00 → 03:00) and falls back on 2026-11-01 (02:00 → 01:00); Berlin on 2026-03-29 (02:00 → 03:00)
/// and 2026-10-25 (03:00 → 02:00). A local time is resolved to the first instant the wall clock reads it or later:
/// the earlier of two, and the end of the gap for a skipped one.
/// </summary>
public sealed class DaylightSavingTests
{
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
    private static readonly LocalTimePattern HourMinute = LocalTimePattern.CreateWithInvariantCulture("HH:mm");

    /// <summary>A calendar working the given periods ("00:30-02:30,03:30-05:00") every day of the week.</summary>
    private static BusinessCalendar EveryDay(DateTimeZone zone, string periods)
    {
        var list = periods.Split(',').Select(p => p.Split('-'))
            .Select(p => new WorkingPeriod(HourMinute.Parse(p[0]).Value, HourMinute.Parse(p[1]).Value))
            .ToList();
        return new BusinessCalendar(zone, Enum.GetValues<IsoDayOfWeek>().Where(d => d != IsoDayOfWeek.None)
            .ToDictionary(d => d, _ => (IReadOnlyList<WorkingPeriod>)list));
    }

    private static Instant Utc(int month, int day, int hour, int minute = 0) => Instant.FromUtc(2026, month, day, hour, minute);

    private static Instant StartOfDay(DateTimeZone zone, string date) =>
        zone.AtStartOfDay(LocalDatePattern.Iso.Parse(date).Value).ToInstant();

    [Theory]
    // an ordinary night shift: 2 h + 1.5 h
    [InlineData("America/New_York", "00:30-02:30,03:30-05:00", "2026-03-07", 210)]
    // spring forward: 00:30 EST until the clocks jump at 02:00 EST (= 03:00 EDT) is 1.5 h; 03:30-05:00 EDT is 1.5 h
    [InlineData("America/New_York", "00:30-02:30,03:30-05:00", "2026-03-08", 180)]
    // fall back: 00:30 EDT to 02:30 EST is 3 real hours (01:00-02:00 happens twice); 03:30-05:00 EST 1.5 h
    [InlineData("America/New_York", "00:30-02:30,03:30-05:00", "2026-11-01", 270)]
    // a period inside the skipped hour has no working time
    [InlineData("America/New_York", "02:10-02:50,09:00-10:00", "2026-03-08", 60)]
    [InlineData("America/New_York", "02:10-02:50,09:00-10:00", "2026-03-09", 100)]
    // a period starting inside the gap starts when the clocks resume (03:00 EDT)
    [InlineData("America/New_York", "02:30-04:00", "2026-03-08", 60)]
    // a period starting at the ambiguous 01:30 starts at its first occurrence and ends at 03:00 EST
    [InlineData("America/New_York", "01:30-03:00", "2026-11-01", 150)]
    // a period ending right at the transition (02:00 is skipped: 03:00 EDT, the same instant as 02:00 EST)
    [InlineData("America/New_York", "00:00-02:00,03:00-04:00", "2026-03-08", 180)]
    // Berlin: a period crossing the change is 2 real hours in spring, 4 in autumn
    [InlineData("Europe/Berlin", "01:00-04:00", "2026-03-29", 120)]
    [InlineData("Europe/Berlin", "01:00-04:00", "2026-10-25", 240)]
    // office hours next to the change are unaffected
    [InlineData("Europe/Berlin", "08:30-12:00,13:30-17:30", "2026-03-29", 450)]
    [InlineData("Europe/Berlin", "08:30-12:00,13:30-17:30", "2026-10-25", 450)]
    public void A_days_working_time_is_real_elapsed_time(string zoneId, string periods, string date, int minutes)
    {
        var zone = DateTimeZoneProviders.Tzdb[zoneId];
        var calendar = EveryDay(zone, periods);
        var day = LocalDatePattern.Iso.Parse(date).Value;
        var from = zone.AtStartOfDay(day).ToInstant();
        var to = zone.AtStartOfDay(day.PlusDays(1)).ToInstant();
        Assert.Equal(Duration.FromMinutes(minutes), calendar.WorkingTimeBetween(from, to));
        Assert.True(calendar.AddWorkingTime(from, Duration.FromMinutes(minutes)) <= to);
        Assert.True(calendar.AddWorkingTime(from, Duration.FromMinutes(minutes + 1)) > to);
    }

    [Fact]
    public void Adding_working_time_across_spring_forward()
    {
        var calendar = EveryDay(NewYork, "00:30-02:30,03:30-05:00");
        var start = StartOfDay(NewYork, "2026-03-08") + Duration.FromMinutes(30); // 00:30 EST = 05:30 UTC
        Assert.Equal(Utc(3, 8, 5, 30), start);
        Assert.Equal(Utc(3, 8, 7, 0), calendar.AddWorkingTime(start, Duration.FromMinutes(90)));   // 03:00 EDT
        Assert.Equal(Utc(3, 8, 8, 0), calendar.AddWorkingTime(start, Duration.FromHours(2)));      // 04:00 EDT
        Assert.Equal(new LocalDateTime(2026, 3, 8, 4, 0), calendar.AddWorkingTime(start, Duration.FromHours(2)).InZone(NewYork).LocalDateTime);
    }

    [Fact]
    public void Adding_working_time_across_fall_back()
    {
        var calendar = EveryDay(NewYork, "00:30-02:30,03:30-05:00");
        var start = Utc(11, 1, 4, 30); // 00:30 EDT
        Assert.Equal(Utc(11, 1, 5, 30), calendar.AddWorkingTime(start, Duration.FromHours(1)));    // 01:30 EDT, the first 01:30
        Assert.Equal(Utc(11, 1, 6, 30), calendar.AddWorkingTime(start, Duration.FromHours(2)));    // 01:30 EST, the second
        Assert.Equal(Utc(11, 1, 7, 30), calendar.AddWorkingTime(start, Duration.FromHours(3)));    // 02:30 EST, the period's end
        Assert.Equal(Utc(11, 1, 9, 0), calendar.AddWorkingTime(start, Duration.FromHours(3.5)));   // 04:00 EST
        Assert.Equal(Duration.FromHours(3), calendar.WorkingTimeBetween(start, Utc(11, 1, 8, 0)));
    }

    [Fact]
    public void Berlin_night_shift_across_both_changes()
    {
        var calendar = EveryDay(Berlin, "01:00-04:00");
        Instant At(int month, int day, int hour) => new LocalDateTime(2026, month, day, hour, 0).InZoneLeniently(Berlin).ToInstant();
        Assert.Equal(Duration.FromHours(2), calendar.WorkingTimeBetween(At(3, 29, 0), At(3, 29, 5)));
        Assert.Equal(Duration.FromHours(4), calendar.WorkingTimeBetween(At(10, 25, 0), At(10, 25, 5)));
        // 3 working hours from midnight on the spring day: 2 that night, 1 the next
        Assert.Equal(At(3, 30, 2), calendar.AddWorkingTime(At(3, 29, 0), Duration.FromHours(3)));
        // on the autumn day 3 working hours from 01:00 CEST end at 03:00 CET: the wall clock moved only 2 hours
        Assert.Equal(Utc(10, 25, 2, 0), calendar.AddWorkingTime(At(10, 25, 0), Duration.FromHours(3)));
    }

    [Fact]
    public void Natural_hours_are_elapsed_time_so_the_wall_clock_moves_one_hour_more_in_spring()
    {
        var calendar = EveryDay(NewYork, "09:00-17:00");
        var start = Utc(3, 8, 5, 30); // 00:30 EST
        var deadline = calendar.Deadline(start, 3, LimitUnit.NaturalHours);
        Assert.Equal(start + Duration.FromHours(3), deadline);
        Assert.Equal(new LocalDateTime(2026, 3, 8, 4, 30), deadline.InZone(NewYork).LocalDateTime);
    }

    [Fact]
    public void The_inverse_holds_across_the_changes()
    {
        var calendar = EveryDay(NewYork, "00:30-02:30,03:30-05:00,08:00-12:00");
        var random = new Random(2026);
        foreach (var day in new[] { "2026-03-07", "2026-10-31" })
        for (var i = 0; i < 300; i++)
        {
            var start = StartOfDay(NewYork, day) + Duration.FromMinutes(random.Next(0, 3 * 24 * 60));
            var work = Duration.FromMinutes(random.Next(1, 30 * 60));
            Assert.Equal(work, calendar.WorkingTimeBetween(start, calendar.AddWorkingTime(start, work)));
        }
    }
}

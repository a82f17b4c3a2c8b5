using CityCase.Domain.Time;
using NodaTime;
using NodaTime.Text;

namespace CityCase.Domain.Tests.Time;

/// <summary>Working-time arithmetic on the 2026 Shanghai calendar (08:30-12:00, 13:30-17:30, official holidays).</summary>
public sealed class BusinessCalendarTests
{
    private static readonly BusinessCalendar Shanghai = BusinessCalendar.Parse(File.ReadAllText(SampleCalendar()));
    private static readonly DateTimeZone Zone = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];

    private static string SampleCalendar()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CityCase.sln"))) return Path.Combine(dir.FullName, "samples", "reference", "calendar.json");
        throw new InvalidOperationException("CityCase.sln not found");
    }

    private static Instant Local(string text) =>
        LocalDateTimePattern.CreateWithInvariantCulture("yyyy-MM-dd HH:mm").Parse(text).Value.InZoneStrictly(Zone).ToInstant();

    private static string Show(Instant instant) =>
        LocalDateTimePattern.CreateWithInvariantCulture("yyyy-MM-dd HH:mm").Format(instant.InZone(Zone).LocalDateTime);

    [Theory]
    // start inside a morning period
    [InlineData("2026-11-24 09:00", 60, "2026-11-24 10:00")]
    // across the lunch break
    [InlineData("2026-11-24 11:00", 120, "2026-11-24 14:30")]
    // a start inside the lunch break counts from 13:30
    [InlineData("2026-11-24 12:30", 30, "2026-11-24 14:00")]
    // across the night
    [InlineData("2026-11-24 17:00", 60, "2026-11-25 09:00")]
    // a start before opening and one after closing
    [InlineData("2026-11-24 06:00", 30, "2026-11-24 09:00")]
    [InlineData("2026-11-24 20:00", 30, "2026-11-25 09:00")]
    // across a weekend: Friday 16:00 + 7.5 h (one working day): 1.5 h on Friday, 3.5 h Monday morning, 2.5 h after lunch
    [InlineData("2026-11-27 16:00", 450, "2026-11-30 16:00")]
    // a start on a Saturday
    [InlineData("2026-11-28 10:00", 60, "2026-11-30 09:30")]
    // National Day: Sep 30 (Wed) 17:00 + 1 h runs over the holiday week to the make-up Saturday Oct 10
    [InlineData("2026-09-30 17:00", 60, "2026-10-08 09:00")]
    [InlineData("2026-10-09 17:00", 60, "2026-10-10 09:00")]
    // a make-up Sunday (Sep 20) works
    [InlineData("2026-09-19 10:00", 30, "2026-09-20 09:00")]
    // a holiday on a weekday (Jan 1, Thursday) does not
    [InlineData("2025-12-31 17:00", 60, "2026-01-04 09:00")]
    // exactly at closing time, the next morning
    [InlineData("2026-11-24 17:30", 1, "2026-11-25 08:31")]
    public void Working_minutes_are_added_on_the_calendar(string start, int minutes, string expected) =>
        Assert.Equal(expected, Show(Shanghai.AddWorkingTime(Local(start), Duration.FromMinutes(minutes))));

    [Fact]
    public void A_working_day_is_a_days_worth_of_working_minutes_never_24_hours()
    {
        Assert.Equal(Duration.FromMinutes(450), Shanghai.WorkingDay);
        var start = Local("2026-11-24 09:00");
        Assert.Equal("2026-11-25 09:00", Show(Shanghai.Deadline(start, 1, LimitUnit.WorkingDays)));
        Assert.Equal("2026-11-27 09:00", Show(Shanghai.Deadline(start, 3, LimitUnit.WorkingDays)));
        Assert.NotEqual(Show(Shanghai.AddWorkingTime(start, Duration.FromHours(24))), Show(Shanghai.Deadline(start, 1, LimitUnit.WorkingDays)));
    }

    [Fact]
    public void Fifteen_working_days_over_the_national_day_holiday()
    {
        // From Sep 28 09:00: Sep 28-30 (3), Oct 8-10 (3, with the make-up Saturday), Oct 12-16 (5), Oct 19-22 (4) → Oct 23 09:00.
        Assert.Equal("2026-10-23 09:00", Show(Shanghai.Deadline(Local("2026-09-28 09:00"), 15, LimitUnit.WorkingDays)));
    }

    [Fact]
    public void Natural_hours_ignore_the_calendar() =>
        Assert.Equal("2026-10-01 02:00", Show(Shanghai.Deadline(Local("2026-09-30 23:00"), 3, LimitUnit.NaturalHours)));

    [Theory]
    [InlineData("2026-11-24 09:00", "2026-11-24 10:00", 60)]
    [InlineData("2026-11-24 11:00", "2026-11-24 14:00", 90)]
    [InlineData("2026-11-24 12:10", "2026-11-24 12:50", 0)]
    [InlineData("2026-11-27 17:00", "2026-11-30 09:00", 60)]
    [InlineData("2026-11-24 10:00", "2026-11-24 09:00", 0)]
    [InlineData("2026-09-30 08:30", "2026-10-08 08:30", 450)]
    public void Working_time_between_two_instants(string from, string to, int minutes) =>
        Assert.Equal(Duration.FromMinutes(minutes), Shanghai.WorkingTimeBetween(Local(from), Local(to)));

    [Fact]
    public void Working_time_between_is_the_inverse_of_adding_it()
    {
        var random = new Random(20261124);
        var origin = Local("2026-01-01 00:00");
        for (var i = 0; i < 500; i++)
        {
            var start = origin + Duration.FromMinutes(random.Next(0, 365 * 24 * 60));
            var work = Duration.FromMinutes(random.Next(1, 20 * 450));
            var end = Shanghai.AddWorkingTime(start, work);
            Assert.Equal(work, Shanghai.WorkingTimeBetween(start, end));
        }
    }

    [Fact]
    public void Periods_next_to_a_daylight_saving_change_count_real_elapsed_time()
    {
        // Berlin springs forward on 2026-03-29 at 02:00 → 03:00, and falls back on 2026-10-25 at 03:00 → 02:00.
        var berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        var night = new[] { new WorkingPeriod(new LocalTime(1, 0), new LocalTime(4, 0)) };
        var allWeek = Enum.GetValues<IsoDayOfWeek>().Where(d => d != IsoDayOfWeek.None)
            .ToDictionary(d => d, _ => (IReadOnlyList<WorkingPeriod>)night);
        var calendar = new BusinessCalendar(berlin, allWeek);

        Instant At(int month, int day, int hour) => new LocalDateTime(2026, month, day, hour, 0).InZoneLeniently(berlin).ToInstant();

        Assert.Equal(Duration.FromHours(2), calendar.WorkingTimeBetween(At(3, 29, 0), At(3, 29, 5)));  // 01:00-04:00 is 2 real hours
        Assert.Equal(Duration.FromHours(4), calendar.WorkingTimeBetween(At(10, 25, 0), At(10, 25, 5))); // and 4 when clocks fall back
        Assert.Equal(At(3, 30, 2), calendar.AddWorkingTime(At(3, 29, 0), Duration.FromHours(3)));
    }

    [Theory]
    [InlineData("""{"zone":"Mars/Olympus","week":{"monday":["08:30-12:00"]}}""", "Mars/Olympus")]
    [InlineData("""{"week":{"monday":["12:00-08:30"]}}""", "ends before it starts")]
    [InlineData("""{"week":{"monday":["08:30-12:00","11:00-13:00"]}}""", "overlap")]
    [InlineData("""{"week":{"monday":["8h-12h"]}}""", "'8h-12h'")]
    [InlineData("""{"week":{"funday":["08:30-12:00"]}}""", "funday")]
    [InlineData("""{"week":{"monday":["08:30-12:00"]},"holidays":["2026-13-01"]}""", "2026-13-01")]
    [InlineData("""{"week":{"monday":["08:30-12:00"]},"holidays":["2026-01-04"],"makeUpWorkdays":[{"date":"2026-01-04"}]}""", "both a holiday and a make-up")]
    [InlineData("""{"week":{"tuesday":["08:30-12:00"]}}""", "Monday has no working periods")]
    [InlineData("""{ not json""", "not valid JSON")]
    public void A_bad_calendar_is_refused_naming_the_problem(string json, string problem)
    {
        var error = Assert.Throws<FormatException>(() => BusinessCalendar.Parse(json));
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void The_sample_follows_the_official_2026_schedule()
    {
        Assert.Empty(Shanghai.PeriodsOn(new LocalDate(2026, 2, 16)));      // Spring Festival, Monday
        Assert.NotEmpty(Shanghai.PeriodsOn(new LocalDate(2026, 2, 14)));   // make-up Saturday
        Assert.NotEmpty(Shanghai.PeriodsOn(new LocalDate(2026, 2, 28)));
        Assert.Empty(Shanghai.PeriodsOn(new LocalDate(2026, 5, 5)));       // Labour Day, Tuesday
        Assert.NotEmpty(Shanghai.PeriodsOn(new LocalDate(2026, 5, 9)));
        Assert.Empty(Shanghai.PeriodsOn(new LocalDate(2026, 11, 28)));     // an ordinary Saturday
    }
}

public sealed class SlaLightTests
{
    private static readonly Duration Limit = Duration.FromMinutes(100);

    [Theory]
    [InlineData(0, Light.Green)]
    [InlineData(79, Light.Green)]
    [InlineData(80, Light.Yellow)]
    [InlineData(99, Light.Yellow)]
    [InlineData(100, Light.Yellow)]
    [InlineData(101, Light.Red)]
    public void Green_below_80_percent_yellow_to_100_red_past_it(int usedMinutes, Light expected) =>
        Assert.Equal(expected, SlaLights.LightFor(Duration.FromMinutes(usedMinutes), Limit));

    [Fact]
    public void The_light_changes_are_scheduled_on_the_calendar()
    {
        var zone = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
        var weekdays = new[] { IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday }
            .ToDictionary(d => d, _ => (IReadOnlyList<WorkingPeriod>)[new(new LocalTime(8, 30), new LocalTime(12, 0)), new(new LocalTime(13, 30), new LocalTime(17, 30))]);
        var calendar = new BusinessCalendar(zone, weekdays);
        var start = new LocalDateTime(2026, 11, 27, 16, 0).InZoneStrictly(zone).ToInstant(); // a Friday

        var (yellow, deadline) = SlaLights.Thresholds(calendar, start, Duration.FromMinutes(300)); // 5 working hours

        Assert.Equal(new LocalDateTime(2026, 11, 30, 11, 0), yellow.InZone(zone).LocalDateTime);   // 240 min: 90 Fri + 150 Mon
        Assert.Equal(new LocalDateTime(2026, 11, 30, 12, 0), deadline.InZone(zone).LocalDateTime);       // 90 Fri + 210 Mon
        Assert.Equal(Light.Yellow, SlaLights.LightAt(calendar, start, Duration.FromMinutes(300), deadline));
        // Past the deadline, but over lunch no working time passes: still yellow until work resumes at 13:30.
        Assert.Equal(Light.Yellow, SlaLights.LightAt(calendar, start, Duration.FromMinutes(300), deadline + Duration.FromMinutes(1)));
        var afterLunch = new LocalDateTime(2026, 11, 30, 13, 31).InZoneStrictly(zone).ToInstant();
        Assert.Equal(Light.Red, SlaLights.LightAt(calendar, start, Duration.FromMinutes(300), afterLunch));
        Assert.Equal(Light.Green, SlaLights.LightAt(calendar, start, Duration.FromMinutes(300), yellow - Duration.FromMinutes(1)));
    }
}

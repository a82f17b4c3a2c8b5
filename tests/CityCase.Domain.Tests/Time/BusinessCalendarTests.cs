using CityCase.Domain.Time;
using NodaTime;
using static CityCase.Domain.Tests.Time.TimeSamples;

namespace CityCase.Domain.Tests.Time;

/// <summary>
/// Working-time arithmetic on the 2026 Shanghai sample calendar. 2026-11-24 is a Tuesday, 2026-11-27 a Friday.
/// Expected values were checked against an independent minute-by-minute count.
/// </summary>
public sealed class BusinessCalendarTests
{
    [Theory]
    // start inside a morning period
    [InlineData("2026-11-24 09:00", 60, "2026-11-24 10:00")]
    // used up exactly at the end of the morning: 12:00, not 13:30
    [InlineData("2026-11-24 08:30", 210, "2026-11-24 12:00")]
    // across the lunch break
    [InlineData("2026-11-24 11:00", 120, "2026-11-24 14:30")]
    // a start inside the lunch break counts from 13:30
    [InlineData("2026-11-24 12:30", 30, "2026-11-24 14:00")]
    [InlineData("2026-11-27 12:30", 30, "2026-11-27 14:00")]
    // across the night
    [InlineData("2026-11-24 17:00", 60, "2026-11-25 09:00")]
    // a start before opening and one after closing
    [InlineData("2026-11-24 06:00", 30, "2026-11-24 09:00")]
    [InlineData("2026-11-24 20:00", 30, "2026-11-25 09:00")]
    // exactly at closing time: the next morning
    [InlineData("2026-11-24 17:30", 1, "2026-11-25 08:31")]
    // across a weekend: Friday 16:00 + 7.5 h (one working day): 1.5 h Friday, 3.5 h Monday morning, 2.5 h after lunch
    [InlineData("2026-11-27 16:00", 450, "2026-11-30 16:00")]
    // a start on a Saturday
    [InlineData("2026-11-28 10:00", 60, "2026-11-30 09:30")]
    // National Day (Oct 1-7): Sep 30 (Wed) 17:00 + 1 h runs over the holiday week
    [InlineData("2026-09-30 17:00", 60, "2026-10-08 09:00")]
    // a start on a weekend holiday (Sat Oct 3) and on a weekday holiday (Mon Oct 5)
    [InlineData("2026-10-03 10:00", 60, "2026-10-08 09:30")]
    [InlineData("2026-10-05 09:00", 30, "2026-10-08 09:00")]
    // make-up working days: Saturday Oct 10 and Sunday Sep 20 work
    [InlineData("2026-10-09 17:00", 60, "2026-10-10 09:00")]
    [InlineData("2026-10-09 16:00", 450, "2026-10-10 16:00")]
    [InlineData("2026-10-10 11:00", 120, "2026-10-10 14:30")]
    [InlineData("2026-09-19 10:00", 30, "2026-09-20 09:00")]
    // Spring Festival (Feb 15-23) between two make-up Saturdays (Feb 14, Feb 28)
    [InlineData("2026-02-13 17:00", 60, "2026-02-14 09:00")]
    [InlineData("2026-02-14 17:00", 60, "2026-02-24 09:00")]
    // a holiday on a weekday (Jan 1, Thursday; Jan 2 Friday) up to the make-up Sunday Jan 4
    [InlineData("2025-12-31 17:00", 60, "2026-01-04 09:00")]
    public void Working_minutes_are_added_on_the_calendar(string start, int minutes, string expected) =>
        Assert.Equal(expected, Show(Calendar.AddWorkingTime(Local(start), Duration.FromMinutes(minutes))));

    [Theory]
    [InlineData("2026-11-24 09:00")] // inside working time
    [InlineData("2026-11-24 12:30")] // over lunch
    [InlineData("2026-10-01 10:00")] // on a holiday
    public void Adding_no_working_time_returns_the_start_itself(string start) =>
        Assert.Equal(Local(start), Calendar.AddWorkingTime(Local(start), Duration.Zero));

    [Fact]
    public void Negative_working_time_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Calendar.AddWorkingTime(Local("2026-11-24 09:00"), Duration.FromMinutes(-1)));

    [Theory]
    // "1 working day" from 16:00 on a Friday: 7.5 working hours through the weekend → Monday 16:00
    [InlineData("2026-11-27 16:00", 1, LimitUnit.WorkingDays, "2026-11-30 16:00")]
    [InlineData("2026-11-24 09:00", 1, LimitUnit.WorkingDays, "2026-11-25 09:00")]
    [InlineData("2026-11-27 16:00", 3, LimitUnit.WorkingDays, "2026-12-02 16:00")]
    [InlineData("2026-11-24 09:00", 0.5, LimitUnit.WorkingDays, "2026-11-24 14:15")]
    [InlineData("2026-11-24 09:00", 5, LimitUnit.WorkingHours, "2026-11-24 15:30")]
    // a day's worth of working time over the National Day week
    [InlineData("2026-09-30 14:00", 1, LimitUnit.WorkingDays, "2026-10-08 14:00")]
    // 15 working days from Sep 28: Sep 28-30 (3), Oct 8-10 (3, with the make-up Saturday), Oct 12-16 (5), Oct 19-22 (4)
    [InlineData("2026-09-28 09:00", 15, LimitUnit.WorkingDays, "2026-10-23 09:00")]
    // 60 working days over Mid-Autumn, National Day and both autumn make-up days
    [InlineData("2026-09-01 10:00", 60, LimitUnit.WorkingDays, "2026-11-30 10:00")]
    // 20 working days over the Spring Festival
    [InlineData("2026-01-30 10:00", 20, LimitUnit.WorkingDays, "2026-03-05 10:00")]
    // natural hours ignore the calendar: nights, weekends and holidays count
    [InlineData("2026-09-30 23:00", 3, LimitUnit.NaturalHours, "2026-10-01 02:00")]
    [InlineData("2026-11-27 16:00", 24, LimitUnit.NaturalHours, "2026-11-28 16:00")]
    [InlineData("2026-11-27 16:00", 0.5, LimitUnit.NaturalHours, "2026-11-27 16:30")]
    public void A_limit_becomes_a_deadline(string start, double amount, LimitUnit unit, string expected) =>
        Assert.Equal(expected, Show(Calendar.Deadline(Local(start), amount, unit)));

    [Fact]
    public void A_working_day_is_a_days_worth_of_working_minutes_never_24_hours()
    {
        Assert.Equal(Duration.FromMinutes(450), Calendar.WorkingDay);
        var start = Local("2026-11-24 09:00");
        for (var n = 1; n <= 30; n++)
        {
            Assert.Equal(Duration.FromMinutes(450 * n), Calendar.LimitAsWorkingTime(n, LimitUnit.WorkingDays, start));
            var deadline = Calendar.Deadline(start, n, LimitUnit.WorkingDays);
            Assert.Equal(Duration.FromMinutes(450 * n), Calendar.WorkingTimeBetween(start, deadline));
            Assert.NotEqual(Calendar.AddWorkingTime(start, Duration.FromHours(24 * n)), deadline);
        }
        // 24 working hours would be 3.2 working days: Tuesday 09:00 → Friday 10:30
        Assert.Equal("2026-11-27 10:30", Show(Calendar.AddWorkingTime(start, Duration.FromHours(24))));
    }

    [Fact]
    public void A_week_of_working_days_needs_more_than_a_week_of_natural_time_over_a_weekend()
    {
        var friday = Local("2026-11-27 16:00");
        var fiveWorkingDays = Calendar.Deadline(friday, 5, LimitUnit.WorkingDays);
        Assert.Equal("2026-12-04 16:00", Show(fiveWorkingDays));
        Assert.True(fiveWorkingDays - friday > Duration.FromDays(5));
    }

    [Theory]
    [InlineData("2026-11-24 09:00", "2026-11-24 10:00", 60)]
    [InlineData("2026-11-24 11:00", "2026-11-24 14:00", 90)]   // lunch does not count
    [InlineData("2026-11-24 12:10", "2026-11-24 12:50", 0)]    // inside lunch
    [InlineData("2026-11-24 07:00", "2026-11-24 08:30", 0)]    // before opening
    [InlineData("2026-11-24 17:00", "2026-11-25 09:00", 60)]   // overnight
    [InlineData("2026-11-27 17:00", "2026-11-30 09:00", 60)]   // over a weekend
    [InlineData("2026-11-24 10:00", "2026-11-24 09:00", 0)]    // backwards
    [InlineData("2026-11-24 10:00", "2026-11-24 10:00", 0)]    // empty
    [InlineData("2026-09-30 08:30", "2026-10-08 08:30", 450)]  // over National Day
    [InlineData("2026-10-09 17:30", "2026-10-12 08:30", 450)]  // a make-up Saturday between
    [InlineData("2026-01-01 00:00", "2027-01-01 00:00", 248 * 450)] // the whole of 2026: 248 working days
    public void Working_time_between_two_instants(string from, string to, int minutes) =>
        Assert.Equal(Duration.FromMinutes(minutes), Calendar.WorkingTimeBetween(Local(from), Local(to)));

    [Fact]
    public void Working_time_between_is_the_inverse_of_adding_it()
    {
        var random = new Random(20261124);
        var origin = Local("2026-01-01 00:00");
        for (var i = 0; i < 1000; i++)
        {
            var start = origin + Duration.FromSeconds(random.Next(0, 365 * 24 * 3600));
            var work = Duration.FromSeconds(random.Next(1, 20 * 450 * 60));
            var end = Calendar.AddWorkingTime(start, work);
            Assert.Equal(work, Calendar.WorkingTimeBetween(start, end));
            // and the end is the earliest such instant: a second less is not enough
            Assert.True(Calendar.WorkingTimeBetween(start, end - Duration.FromSeconds(1)) < work, $"{start} + {work}");
        }
    }

    [Fact]
    public void Adding_agrees_with_counting_minute_by_minute()
    {
        // An independent, slow oracle: step one minute at a time and count the minutes whose wall-clock time
        // lies inside a period of that date.
        var random = new Random(4);
        var origin = Local("2026-01-01 00:00");
        for (var i = 0; i < 150; i++)
        {
            var start = origin + Duration.FromMinutes(random.Next(0, 365 * 24 * 60));
            var minutes = random.Next(1, 3 * 450);
            var t = start;
            for (var left = minutes; left > 0; t += Duration.FromMinutes(1))
            {
                var local = t.InZone(Shanghai).LocalDateTime;
                if (Calendar.PeriodsOn(local.Date).Any(p => p.Start <= local.TimeOfDay && local.TimeOfDay < p.End)) left--;
            }
            Assert.Equal(Show(t), Show(Calendar.AddWorkingTime(start, Duration.FromMinutes(minutes))));
        }
    }

    [Theory]
    [InlineData("2026-11-24 08:30", true)]
    [InlineData("2026-11-24 11:59", true)]
    [InlineData("2026-11-24 12:00", false)] // periods end exclusively
    [InlineData("2026-11-24 13:30", true)]
    [InlineData("2026-11-24 17:30", false)]
    [InlineData("2026-11-28 10:00", false)] // Saturday
    [InlineData("2026-10-10 10:00", true)]  // make-up Saturday
    [InlineData("2026-10-06 10:00", false)] // National Day, Tuesday
    public void Whether_an_instant_is_working_time(string at, bool working) =>
        Assert.Equal(working, Calendar.IsWorkingTime(Local(at)));

    [Fact]
    public void A_long_limit_is_computed_a_day_at_a_time_not_a_minute_at_a_time()
    {
        // 2,000 deadlines of 60 working days each: a minute-by-minute walk would take ~130,000 steps per deadline.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var start = Local("2026-01-05 09:00");
        for (var i = 0; i < 2000; i++) Calendar.Deadline(start + Duration.FromMinutes(i * 37), 60, LimitUnit.WorkingDays);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public void The_calendar_cannot_be_changed_through_what_it_was_built_from()
    {
        var monday = new List<WorkingPeriod> { new(new LocalTime(9, 0), new LocalTime(17, 0)) };
        var week = new Dictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> { [IsoDayOfWeek.Monday] = monday };
        var holidays = new HashSet<LocalDate>();
        var calendar = new BusinessCalendar(Shanghai, week, [new CalendarYear(2026, holidays)]);
        monday.Add(new(new LocalTime(18, 0), new LocalTime(20, 0)));
        week[IsoDayOfWeek.Tuesday] = monday;
        holidays.Add(new LocalDate(2026, 11, 30));
        Assert.Equal(Duration.FromHours(8), calendar.WorkingDay);
        Assert.Single(calendar.PeriodsOn(new LocalDate(2026, 11, 30)));
        Assert.Empty(calendar.PeriodsOn(new LocalDate(2026, 12, 1)));
    }

    [Fact]
    public void A_period_may_run_to_midnight()
    {
        var late = BusinessCalendar.Parse("""{"week":{"monday":["18:00-24:00"],"tuesday":["00:00-24:00"]}}""");
        Assert.Equal(Duration.FromHours(6), late.WorkingDay);
        Assert.Equal(Duration.FromHours(30), late.WorkingTimeBetween(Local("2026-11-30 00:00"), Local("2026-12-02 00:00")));
        Assert.Equal("2026-12-01 02:00", Show(late.AddWorkingTime(Local("2026-11-30 23:00"), Duration.FromHours(3))));
    }

    [Fact]
    public void The_sample_follows_the_official_2026_schedule()
    {
        Assert.Equal("Asia/Shanghai", Calendar.Zone.Id);
        Assert.Equal(33, Calendar.Holidays.Count(d => d.Year == 2026));
        Assert.Equal(6, Calendar.MakeUpWorkdays.Count(p => p.Key.Year == 2026));
        Assert.All(Calendar.MakeUpWorkdays.Keys, d => Assert.True(d.DayOfWeek is IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday));
        Assert.Empty(Calendar.PeriodsOn(new LocalDate(2026, 1, 1)));       // New Year's Day, Thursday
        Assert.NotEmpty(Calendar.PeriodsOn(new LocalDate(2026, 1, 4)));    // make-up Sunday
        Assert.Empty(Calendar.PeriodsOn(new LocalDate(2026, 2, 16)));      // Spring Festival, Monday
        Assert.Empty(Calendar.PeriodsOn(new LocalDate(2026, 2, 23)));      // its last day, Monday
        Assert.NotEmpty(Calendar.PeriodsOn(new LocalDate(2026, 2, 14)));   // make-up Saturdays
        Assert.NotEmpty(Calendar.PeriodsOn(new LocalDate(2026, 2, 28)));
        Assert.Empty(Calendar.PeriodsOn(new LocalDate(2026, 4, 6)));       // Qingming, Monday
        Assert.Empty(Calendar.PeriodsOn(new LocalDate(2026, 5, 5)));       // Labour Day, Tuesday
        Assert.NotEmpty(Calendar.PeriodsOn(new LocalDate(2026, 5, 9)));
        Assert.Empty(Calendar.PeriodsOn(new LocalDate(2026, 6, 19)));      // Dragon Boat, Friday
        Assert.Empty(Calendar.PeriodsOn(new LocalDate(2026, 9, 25)));      // Mid-Autumn, Friday
        Assert.NotEmpty(Calendar.PeriodsOn(new LocalDate(2026, 9, 20)));   // make-up Sunday
        Assert.Empty(Calendar.PeriodsOn(new LocalDate(2026, 10, 7)));      // National Day, Wednesday
        Assert.NotEmpty(Calendar.PeriodsOn(new LocalDate(2026, 10, 10)));  // make-up Saturday
        Assert.Empty(Calendar.PeriodsOn(new LocalDate(2026, 11, 28)));     // an ordinary Saturday
        Assert.Equal(2, Calendar.PeriodsOn(new LocalDate(2026, 11, 30)).Count);
    }
}

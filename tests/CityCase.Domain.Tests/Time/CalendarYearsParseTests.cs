using CityCase.Domain.Time;
using NodaTime;
using static CityCase.Domain.Tests.Time.TimeSamples;

namespace CityCase.Domain.Tests.Time;

/// <summary>
/// The calendar by years and week changes: what Parse refuses (naming the problem and where), and weekly hours
/// that change from a date on. 2027-06-30 is a Wednesday, 2027-07-01 a Thursday.
/// </summary>
public sealed class CalendarYearsParseTests
{
    private const string Monday = """ "week": {"monday": ["08:30-12:00", "13:30-17:30"]} """;

    [Theory]
    // years
    [InlineData("""{"years": [{"year": 2026}, {"year": 2027}, {"year": 2026}]}""", "years: 2026 is listed twice")]
    [InlineData("""{"years": [{"year": 2027, "holidays": ["2027-01-01", "2026-12-31"]}]}""", "years[2027]: holiday 2026-12-31 is not in 2027")]
    [InlineData("""{"years": [{"year": 2026, "makeUpWorkdays": [{"date": "2027-01-02"}]}]}""", "years[2026]: make-up working day 2027-01-02 is not in 2026")]
    [InlineData("""{"years": [{"year": 2026.5}]}""", "years[0]: 'year' must be a whole number in 1900..2200, got 2026.5")]
    [InlineData("""{"years": [{"year": "2026"}]}""", "years[0]: 'year' must be a whole number in 1900..2200, got \"2026\"")]
    [InlineData("""{"years": [{"year": 2026}, {"year": 1899}]}""", "years[1]: 'year' must be a whole number in 1900..2200, got 1899")]
    [InlineData("""{"years": [{"year": 2201}]}""", "'year' must be a whole number in 1900..2200, got 2201")]
    [InlineData("""{"years": [{"year": 20260}]}""", "'year' must be a whole number in 1900..2200, got 20260")]
    [InlineData("""{"years": [{"holidays": []}]}""", "years[0]: 'year' must be a whole number in 1900..2200, got nothing")]
    [InlineData("""{"years": [{"year": 2027, "provisional": "yes"}]}""", "years[2027]: 'provisional' must be true or false, got \"yes\"")]
    [InlineData("""{"years": {"year": 2026}}""", "'years' must be a list")]
    [InlineData("""{"years": [2026]}""", "years[0]: each entry must be an object")]
    [InlineData("""{"years": [{"year": 2026, "makeUpWorkdays": {"date": "2026-10-10"}}]}""", "years[2026]: 'makeUpWorkdays' must be a list")]
    // the shape before years
    [InlineData("""{"holidays": ["2026-10-01"]}""", "'holidays' at the top level is no longer read: move it under 'years'")]
    [InlineData("""{"makeUpWorkdays": [{"date": "2026-10-10"}]}""", "'makeUpWorkdays' at the top level is no longer read: move it under 'years'")]
    [InlineData("""{"holidays": []}""", "'holidays' at the top level is no longer read")]
    // week changes
    [InlineData("""{"weekChanges": [{"from": "2027-07-01", "week": {"monday": ["09:00-17:00"]}}, {"from": "2027-03-01", "week": {"monday": ["09:00-17:00"]}}]}""",
        "weekChanges: 2027-03-01 comes after 2027-07-01: list the changes in increasing 'from' order")]
    [InlineData("""{"weekChanges": [{"from": "2027-07-01", "week": {"monday": ["09:00-17:00"]}}, {"from": "2027-07-01", "week": {"monday": ["09:00-16:00"]}}]}""",
        "weekChanges: 2027-07-01 is listed twice")]
    [InlineData("""{"weekChanges": [{"from": "2027-07-01", "week": {"tuesday": ["09:00-17:00"]}}]}""",
        "weekChanges[2027-07-01]: Monday has no working periods")]
    [InlineData("""{"weekChanges": [{"from": "2027-07-01", "week": {"monday": ["09:00-12:00", "11:00-17:00"]}}]}""",
        "weekChanges[2027-07-01]: Monday: the periods 09:00-12:00 and 11:00-17:00 overlap or are out of order")]
    [InlineData("""{"weekChanges": [{"from": "2027-07-01", "week": {"monday": ["9h-17h"]}}]}""",
        "weekChanges[2027-07-01].week.monday: '9h-17h' is not a period like 08:30-12:00")]
    [InlineData("""{"weekChanges": [{"from": "2027-07-01", "week": {"someday": ["09:00-17:00"]}}]}""",
        "weekChanges[2027-07-01].week: 'someday' is not a day of the week")]
    [InlineData("""{"weekChanges": [{"from": "2027-07-01"}]}""", "'weekChanges[2027-07-01].week' is missing or is not an object")]
    [InlineData("""{"weekChanges": [{"week": {"monday": ["09:00-17:00"]}}]}""", "weekChanges[0].from: expected a string, got nothing")]
    [InlineData("""{"weekChanges": [{"from": "July", "week": {"monday": ["09:00-17:00"]}}]}""", "weekChanges[0].from: 'July' is not a date")]
    [InlineData("""{"weekChanges": ["2027-07-01"]}""", "weekChanges[0]: each entry must be an object")]
    [InlineData("""{"weekChanges": {}}""", "'weekChanges' must be a list")]
    public void A_bad_calendar_by_years_is_refused_naming_the_problem(string jsonWithoutWeek, string problem)
    {
        // given a calendar with a valid week and the fault
        var json = "{" + Monday + "," + jsonWithoutWeek.TrimStart()[1..];
        // when it is parsed, then it is refused, naming the problem and where
        var error = Assert.Throws<FormatException>(() => BusinessCalendar.Parse(json));
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Built_in_code_the_same_year_and_week_change_rules_apply()
    {
        var week = BaseWeek("08:30-12:00", "13:30-17:30");
        Assert.Equal("years[2027]: holiday 2026-12-31 is not in 2027",
            Assert.Throws<FormatException>(() => new CalendarYear(2027, [new LocalDate(2026, 12, 31)])).Message);
        Assert.Equal("years: 1899 is not a year in 1900..2200", Assert.Throws<FormatException>(() => new CalendarYear(1899)).Message);
        Assert.Equal("years: 2026 is listed twice", Assert.Throws<FormatException>(() =>
            new BusinessCalendar(Shanghai, week, [new CalendarYear(2026), new CalendarYear(2026, provisional: true)])).Message);
        Assert.StartsWith("weekChanges: 2027-01-01 comes after 2027-07-01", Assert.Throws<FormatException>(() =>
            new BusinessCalendar(Shanghai, week, weekChanges: [new(new LocalDate(2027, 7, 1), week), new(new LocalDate(2027, 1, 1), week)])).Message);
    }

    [Fact]
    public void Years_a_whole_number_written_with_a_fraction_and_unknown_properties_are_read()
    {
        var calendar = BusinessCalendar.Parse("""
            {"week": {"monday": ["08:30-12:00"]},
             "years": [{"year": 2026.0, "source": "ignored", "holidays": ["2026-11-30"]},
                       {"year": 2027, "provisional": false, "note": "ignored"},
                       {"year": 2028, "provisional": true}]}
            """);
        Assert.Equal([2026, 2027], calendar.OfficialYears);
        Assert.Equal([2028], calendar.ProvisionalYears);
        Assert.Empty(calendar.PeriodsOn(new LocalDate(2026, 11, 30)));
    }

    [Fact]
    public void Without_years_every_year_is_provisional_and_every_weekday_works()
    {
        var calendar = BusinessCalendar.Parse("""{"week": {"monday": ["08:30-12:00"]}}""");
        Assert.Empty(calendar.OfficialYears);
        Assert.Empty(calendar.ProvisionalYears);
        Assert.True(calendar.IsProvisional(new LocalDate(2026, 11, 30)));
        Assert.NotEmpty(calendar.PeriodsOn(new LocalDate(2026, 11, 30)));
    }

    /// <summary>08:30-12:00, 13:30-17:30 on weekdays; from 2027-07-01 09:00-12:00, 13:00-18:00 (8 h); from 2028-01-01 09:00-15:00 (6 h).</summary>
    private static readonly BusinessCalendar ChangingHours = BusinessCalendar.Parse("""
        {"week": {"monday": ["08:30-12:00", "13:30-17:30"], "tuesday": ["08:30-12:00", "13:30-17:30"],
                  "wednesday": ["08:30-12:00", "13:30-17:30"], "thursday": ["08:30-12:00", "13:30-17:30"],
                  "friday": ["08:30-12:00", "13:30-17:30"]},
         "weekChanges": [
           {"from": "2027-07-01", "week": {"monday": ["09:00-12:00", "13:00-18:00"], "tuesday": ["09:00-12:00", "13:00-18:00"],
                                           "wednesday": ["09:00-12:00", "13:00-18:00"], "thursday": ["09:00-12:00", "13:00-18:00"],
                                           "friday": ["09:00-12:00", "13:00-18:00"]}},
           {"from": "2028-01-01", "week": {"monday": ["09:00-15:00"], "friday": ["09:00-15:00"]}}],
         "years": [{"year": 2027, "provisional": true, "holidays": ["2027-10-01"]}]}
        """);

    [Theory]
    [InlineData("2027-06-30", 450)]
    [InlineData("2027-07-01", 480)]  // the day of the change
    [InlineData("2027-12-31", 480)]
    [InlineData("2028-01-01", 360)]
    [InlineData("2026-01-01", 450)]  // before any change: the base week
    public void A_working_day_is_the_monday_of_the_week_in_force(string date, int minutes)
    {
        var day = NodaTime.Text.LocalDatePattern.Iso.Parse(date).Value;
        Assert.Equal(Duration.FromMinutes(minutes), ChangingHours.WorkingDayOn(day));
        Assert.Equal(Duration.FromMinutes(450), ChangingHours.WorkingDay); // the base week's, whatever the date
    }

    [Fact]
    public void The_periods_of_a_date_come_from_the_week_in_force()
    {
        var nine = new WorkingPeriod(new LocalTime(9, 0), new LocalTime(12, 0));
        var afternoon = new WorkingPeriod(new LocalTime(13, 0), new LocalTime(18, 0));
        Assert.Equal(new LocalTime(8, 30), ChangingHours.PeriodsOn(new LocalDate(2027, 6, 30))[0].Start);
        Assert.Equal([nine, afternoon], ChangingHours.PeriodsOn(new LocalDate(2027, 7, 1)));
        Assert.Empty(ChangingHours.PeriodsOn(new LocalDate(2027, 10, 1)));          // a holiday under the new hours
        Assert.Empty(ChangingHours.PeriodsOn(new LocalDate(2028, 1, 4)));           // Tuesday does not work from 2028
        Assert.Equal(2, ChangingHours.WeekChanges.Count);
        Assert.Equal(5, ChangingHours.Week.Count);
        Assert.Equal(2, ChangingHours.WeekOn(new LocalDate(2028, 1, 1)).Count);
    }

    [Theory]
    // a working day counts the Monday of the week in force on the start's date
    [InlineData("2027-06-30 10:00", 1, LimitUnit.WorkingDays, 450)]
    [InlineData("2027-07-01 10:00", 1, LimitUnit.WorkingDays, 480)]
    [InlineData("2027-07-01 10:00", 2.5, LimitUnit.WorkingDays, 1200)]
    [InlineData("2028-01-03 10:00", 1, LimitUnit.WorkingDays, 360)]
    // working hours do not depend on the week
    [InlineData("2027-06-30 10:00", 5, LimitUnit.WorkingHours, 300)]
    [InlineData("2028-01-03 10:00", 5, LimitUnit.WorkingHours, 300)]
    public void A_limit_as_working_time_uses_the_week_in_force_at_the_start(string start, double amount, LimitUnit unit, int minutes) =>
        Assert.Equal(Duration.FromMinutes(minutes), ChangingHours.LimitAsWorkingTime(amount, unit, Local(start)));

    [Theory]
    // started Wednesday under the old hours: 450 min = 1.5 h Wed + 6 h Thursday under the new (09:00-12:00, 13:00-16:00)
    [InlineData("2027-06-30 16:00", "2027-07-01 16:00")]
    // started Thursday under the new hours: 480 min = 2 h Thu + 6 h Friday
    [InlineData("2027-07-01 16:00", "2027-07-02 16:00")]
    // started Friday Dec 31 under the 8-hour week: 480 min = 2 h Friday + the whole 6-hour Monday of the 2028 week
    [InlineData("2027-12-31 16:00", "2028-01-03 15:00")]
    public void One_working_day_across_a_change_of_hours(string start, string expected) =>
        Assert.Equal(expected, Show(ChangingHours.Deadline(Local(start), 1, LimitUnit.WorkingDays)));

    private static Dictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> BaseWeek(params string[] periods) => new()
    {
        [IsoDayOfWeek.Monday] = [.. periods.Select(p => p.Split('-')).Select(p =>
            new WorkingPeriod(NodaTime.Text.LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(p[0]).Value,
                NodaTime.Text.LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(p[1]).Value))],
    };
}

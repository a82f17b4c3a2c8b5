using CityCase.Domain.Time;
using NodaTime;

namespace CityCase.Domain.Tests.Time;

/// <summary>BusinessCalendar.Parse: the sample's shape, defaults, and every refusal naming what is wrong.</summary>
public sealed class CalendarParseTests
{
    [Theory]
    [InlineData("""{"zone":"Mars/Olympus","week":{"monday":["08:30-12:00"]}}""", "zone 'Mars/Olympus' is not a known IANA time zone")]
    [InlineData("""{"zone":8,"week":{"monday":["08:30-12:00"]}}""", "zone: expected a string")]
    [InlineData("""{"week":{"monday":["12:00-08:30"]}}""", "Monday: the period 12:00-08:30 ends before it starts")]
    [InlineData("""{"week":{"monday":["17:30-13:30"]}}""", "ends before it starts")]
    [InlineData("""{"week":{"monday":["08:30-12:00","11:00-13:00"]}}""", "the periods 08:30-12:00 and 11:00-13:00 overlap or are out of order")]
    [InlineData("""{"week":{"monday":["13:30-17:30","08:30-12:00"]}}""", "overlap or are out of order")]
    [InlineData("""{"week":{"monday":["22:00-24:00","23:00-23:30"]}}""", "overlap or are out of order")]
    [InlineData("""{"week":{"monday":["8h-12h"]}}""", "week.monday: '8h-12h' is not a period like 08:30-12:00")]
    [InlineData("""{"week":{"monday":["08:30-12:00-13:00"]}}""", "'08:30-12:00-13:00' is not a period")]
    [InlineData("""{"week":{"monday":["25:00-26:00"]}}""", "'25:00-26:00' is not a period")]
    [InlineData("""{"week":{"monday":[830]}}""", "week.monday: expected a string, got 830")]
    [InlineData("""{"week":{"monday":"08:30-12:00"}}""", "week.monday must be a list")]
    [InlineData("""{"week":{"funday":["08:30-12:00"]}}""", "week: 'funday' is not a day of the week")]
    [InlineData("""{"week":{"1":["08:30-12:00"]}}""", "week: '1' is not a day of the week")]
    [InlineData("""{"week":{"monday":["08:30-12:00"],"Monday":["13:30-17:30"]}}""", "Monday is listed twice")]
    [InlineData("""{"years":[]}""", "'week' is missing")]
    [InlineData("""{"week":{"tuesday":["08:30-12:00"]}}""", "Monday has no working periods")]
    [InlineData("""{"week":{"monday":["08:30-12:00"]},"years":[{"year":2026,"holidays":["2026-13-01"]}]}""", "holidays: '2026-13-01' is not a date like 2026-10-01")]
    [InlineData("""{"week":{"monday":["08:30-12:00"]},"years":[{"year":2026,"holidays":["2026/10/01"]}]}""", "'2026/10/01' is not a date")]
    [InlineData("""{"week":{"monday":["08:30-12:00"]},"years":[{"year":2026,"holidays":"2026-10-01"}]}""", "'holidays' must be a list")]
    [InlineData("""{"week":{"monday":["08:30-12:00"]},"years":[{"year":2026,"makeUpWorkdays":[{"date":"2026-02-30"}]}]}""", "makeUpWorkdays: '2026-02-30' is not a date")]
    [InlineData("""{"week":{"monday":["08:30-12:00"]},"years":[{"year":2026,"makeUpWorkdays":[{"worksAs":"monday"}]}]}""", "makeUpWorkdays date: expected a string, got nothing")]
    [InlineData("""{"week":{"monday":["08:30-12:00"]},"years":[{"year":2026,"makeUpWorkdays":["2026-10-10"]}]}""", "makeUpWorkdays: each entry must be an object")]
    [InlineData("""{"week":{"monday":["08:30-12:00"]},"years":[{"year":2026,"makeUpWorkdays":[{"date":"2026-10-10","worksAs":"someday"}]}]}""", "makeUpWorkdays 2026-10-10: worksAs 'someday' is not a day of the week")]
    [InlineData("""{"week":{"monday":["08:30-12:00"]},"years":[{"year":2026,"makeUpWorkdays":[{"date":"2026-10-10"},{"date":"2026-10-10"}]}]}""", "makeUpWorkdays: 2026-10-10 is listed twice")]
    [InlineData("""{"week":{"monday":["08:30-12:00"]},"years":[{"year":2026,"holidays":["2026-01-04"],"makeUpWorkdays":[{"date":"2026-01-04"}]}]}""", "2026-01-04 is both a holiday and a make-up working day")]
    [InlineData("""{ not json""", "the calendar is not valid JSON")]
    [InlineData("""["08:30-12:00"]""", "the calendar must be a JSON object")]
    public void A_bad_calendar_is_refused_naming_the_problem(string json, string problem)
    {
        var error = Assert.Throws<FormatException>(() => BusinessCalendar.Parse(json));
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Defaults_zone_Shanghai_make_up_days_work_as_monday_and_unlisted_days_do_not_work()
    {
        var calendar = BusinessCalendar.Parse("""
            {"week": {"monday": ["08:30-12:00", "13:30-17:30"], "friday": ["09:00-11:00"], "saturday": []},
             "years": [{"year": 2026, "makeUpWorkdays": [{"date": "2026-10-10"}, {"date": "2026-09-20", "worksAs": "Friday"}]}],
             "source": "ignored", "note": "ignored"}
            """);
        Assert.Equal("Asia/Shanghai", calendar.Zone.Id);
        Assert.Equal(Duration.FromMinutes(450), calendar.WorkingDay);
        Assert.Equal(2, calendar.PeriodsOn(new LocalDate(2026, 10, 10)).Count);                 // a Saturday working as Monday
        Assert.Equal(new[] { new WorkingPeriod(new LocalTime(9, 0), new LocalTime(11, 0)) }, calendar.PeriodsOn(new LocalDate(2026, 9, 20)));
        Assert.Empty(calendar.PeriodsOn(new LocalDate(2026, 11, 24)));                          // Tuesday is not listed
        Assert.Empty(calendar.PeriodsOn(new LocalDate(2026, 11, 28)));                          // an ordinary Saturday
    }

    [Fact]
    public void Any_number_of_periods_per_weekday()
    {
        var calendar = BusinessCalendar.Parse("""
            {"zone": "Asia/Urumqi", "week": {"monday": ["07:00-09:00", "10:00-12:00", "15:00-18:00", "20:00-21:00"]}}
            """);
        Assert.Equal("Asia/Urumqi", calendar.Zone.Id);
        Assert.Equal(Duration.FromHours(8), calendar.WorkingDay);
        Assert.Equal(4, calendar.Week[IsoDayOfWeek.Monday].Count);
    }

    [Fact]
    public void Built_in_code_the_same_rules_apply()
    {
        var zone = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
        var overlap = new Dictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>>
        {
            [IsoDayOfWeek.Monday] = [new(new LocalTime(8, 0), new LocalTime(12, 0)), new(new LocalTime(11, 0), new LocalTime(13, 0))],
        };
        Assert.Contains("overlap", Assert.Throws<FormatException>(() => new BusinessCalendar(zone, overlap)).Message);
    }
}

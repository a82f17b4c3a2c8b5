using System.Text.Json.Nodes;
using CityCase.Domain.Time;
using NodaTime;
using static CityCase.Domain.Tests.Time.TimeSamples;

namespace CityCase.Domain.Tests.Time;

/// <summary>
/// Years past the last official one. The sample lists 2026 (official) and 2027 (provisional: only the statutory
/// days off: Jan 1 Fri; Feb 5 Fri to Feb 8 Mon; Apr 5 Mon; May 1-2; Jun 9 Wed; Sep 15 Wed; Oct 1 Fri to Oct 3).
/// 2026-12-31 is a Thursday, 2027-01-04 a Monday.
/// </summary>
public sealed class CalendarYearsTests
{
    /// <summary>The sample as it was before 2027 was listed: 2027 counts every weekday as working.</summary>
    private static readonly BusinessCalendar Without2027 = SampleWith(root => RemoveYear(root, 2027));

    /// <summary>
    /// An invented official 2027, NOT the State Council's (its notice is not out): Jan 1-3, Spring Festival
    /// Feb 5-11 with a make-up Saturday Feb 20, the rest statutory days only. Only for testing a year that
    /// becomes official.
    /// </summary>
    private static readonly BusinessCalendar InventedOfficial2027 = SampleWith(root =>
    {
        RemoveYear(root, 2027);
        root["years"]!.AsArray().Add(JsonNode.Parse("""
            {"year": 2027, "holidays": ["2027-01-01", "2027-01-02", "2027-01-03",
               "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11",
               "2027-04-05", "2027-05-01", "2027-05-02", "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-02", "2027-10-03"],
             "makeUpWorkdays": [{"date": "2027-02-20", "worksAs": "monday"}]}
            """));
    });

    private static void RemoveYear(JsonObject root, int year)
    {
        var years = root["years"]!.AsArray();
        years.Remove(years.Single(y => (int)y!["year"]! == year));
    }

    private static BusinessCalendar Named(string name) => name switch
    {
        "sample" => Calendar,
        "without 2027" => Without2027,
        "official 2027" => InventedOfficial2027,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Fact]
    public void The_sample_lists_2026_as_official_and_2027_as_provisional_with_the_statutory_days_only()
    {
        Assert.Equal([2026], Calendar.OfficialYears);
        Assert.Equal([2027], Calendar.ProvisionalYears);
        Assert.True(Calendar.IsOfficial(2026));
        Assert.False(Calendar.IsOfficial(2027));
        Assert.False(Calendar.IsOfficial(2028));   // not listed
        Assert.False(Calendar.IsOfficial(2025));
        var y2027 = Calendar.Years.Single(y => y.Year == 2027);
        Assert.True(y2027.Provisional);
        Assert.Equal(13, y2027.Holidays.Count);
        Assert.Empty(y2027.MakeUpWorkdays);
        Assert.Equal(
            ["2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-04-05", "2027-05-01",
             "2027-05-02", "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-02", "2027-10-03"],
            y2027.Holidays.Order().Select(d => d.ToString("yyyy-MM-dd", null)));
        Assert.Contains("not yet published", JsonNode.Parse(CalendarText)!["years"]![1]!["note"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("2026-12-31", false)]
    [InlineData("2026-01-01", false)]
    [InlineData("2027-01-01", true)]  // listed as provisional
    [InlineData("2028-06-01", true)]  // not listed
    [InlineData("2025-12-31", true)]  // not listed either
    public void A_date_is_provisional_unless_its_year_is_official(string date, bool provisional) =>
        Assert.Equal(provisional, Calendar.IsProvisional(NodaTime.Text.LocalDatePattern.Iso.Parse(date).Value));

    [Theory]
    [InlineData("2026-03-01 09:00", "2026-12-31 23:59", false)]
    [InlineData("2026-12-31 09:00", "2027-01-01 00:00", true)]  // the local date of the end counts
    [InlineData("2027-01-01 00:00", "2026-12-31 09:00", true)]  // either order
    [InlineData("2025-12-31 17:00", "2026-01-04 09:00", true)]  // 2025 is not listed
    [InlineData("2026-06-01 09:00", "2026-06-01 09:00", false)]
    public void Whether_a_span_touches_a_provisional_year(string from, string to, bool provisional) =>
        Assert.Equal(provisional, Calendar.IsProvisionalBetween(Local(from), Local(to)));

    [Theory]
    // New Year 2027: 1 working day from Thursday 16:00 = 1.5 h + 6 h. 2027 provisional: Friday Jan 1 is off → Monday.
    [InlineData("sample", "2026-12-31 16:00", 1, LimitUnit.WorkingDays, "2027-01-04 16:00")]
    // ... 2027 not listed: Friday Jan 1 is a plain weekday, it works.
    [InlineData("without 2027", "2026-12-31 16:00", 1, LimitUnit.WorkingDays, "2027-01-01 16:00")]
    [InlineData("sample", "2026-12-31 17:00", 1, LimitUnit.WorkingHours, "2027-01-04 09:00")]
    [InlineData("without 2027", "2026-12-31 17:00", 1, LimitUnit.WorkingHours, "2027-01-01 09:00")]
    // 5 working days from Monday Dec 28: Dec 29, 30, 31, then Jan 4 and 5 (provisional) or Jan 1 and 4 (unlisted)
    [InlineData("sample", "2026-12-28 09:00", 5, LimitUnit.WorkingDays, "2027-01-05 09:00")]
    [InlineData("without 2027", "2026-12-28 09:00", 5, LimitUnit.WorkingDays, "2027-01-04 09:00")]
    // Spring Festival 2027: Friday Feb 5 (除夕) and Monday Feb 8 are off → Tuesday Feb 9
    [InlineData("sample", "2027-02-04 16:00", 1, LimitUnit.WorkingDays, "2027-02-09 16:00")]
    [InlineData("without 2027", "2027-02-04 16:00", 1, LimitUnit.WorkingDays, "2027-02-05 16:00")]
    // ... and with an official Spring Festival week Feb 5-11: Friday Feb 12
    [InlineData("official 2027", "2027-02-04 16:00", 1, LimitUnit.WorkingDays, "2027-02-12 16:00")]
    // National Day 2027: Friday Oct 1 is off → Monday Oct 4
    [InlineData("sample", "2027-09-30 16:00", 1, LimitUnit.WorkingDays, "2027-10-04 16:00")]
    [InlineData("without 2027", "2027-09-30 16:00", 1, LimitUnit.WorkingDays, "2027-10-01 16:00")]
    // natural hours: the calendar does not matter
    [InlineData("sample", "2026-12-31 16:00", 24, LimitUnit.NaturalHours, "2027-01-01 16:00")]
    [InlineData("without 2027", "2026-12-31 16:00", 24, LimitUnit.NaturalHours, "2027-01-01 16:00")]
    public void Deadlines_across_the_year_boundary(string calendar, string start, double amount, LimitUnit unit, string expected) =>
        Assert.Equal(expected, Show(Named(calendar).Deadline(Local(start), amount, unit)));

    [Theory]
    // Thursday Dec 31 and Monday Jan 4; the unlisted 2027 also works Friday Jan 1
    [InlineData("sample", "2026-12-31 08:30", "2027-01-05 08:30", 2 * 450)]
    [InlineData("without 2027", "2026-12-31 08:30", "2027-01-05 08:30", 3 * 450)]
    // Wednesday Feb 3 to Wednesday Feb 10: Feb 3, 4, 9 (sample) or Feb 3, 4, 5, 8, 9 (unlisted)
    [InlineData("sample", "2027-02-03 08:30", "2027-02-10 08:30", 3 * 450)]
    [InlineData("without 2027", "2027-02-03 08:30", "2027-02-10 08:30", 5 * 450)]
    public void Working_time_across_the_year_boundary(string calendar, string from, string to, int minutes) =>
        Assert.Equal(Duration.FromMinutes(minutes), Named(calendar).WorkingTimeBetween(Local(from), Local(to)));

    [Theory]
    // wholly in official 2026
    [InlineData("sample", "2026-11-24 09:00", 5, LimitUnit.WorkingDays, false)]
    [InlineData("sample", "2026-12-31 09:00", 1, LimitUnit.WorkingHours, false)]
    [InlineData("sample", "2026-12-31 17:00", 0.5, LimitUnit.WorkingHours, false)]   // deadline Dec 31 17:30
    // the deadline falls in 2027, provisional or not listed
    [InlineData("sample", "2026-12-31 17:00", 1, LimitUnit.WorkingHours, true)]
    [InlineData("sample", "2026-12-31 16:00", 1, LimitUnit.WorkingDays, true)]
    [InlineData("without 2027", "2026-12-31 16:00", 1, LimitUnit.WorkingDays, true)]
    [InlineData("sample", "2027-03-01 09:00", 1, LimitUnit.WorkingHours, true)]
    // once 2027 is official the same limit is not provisional
    [InlineData("official 2027", "2026-12-31 16:00", 1, LimitUnit.WorkingDays, false)]
    // natural hours never are
    [InlineData("sample", "2026-12-31 16:00", 24, LimitUnit.NaturalHours, false)]
    [InlineData("sample", "2027-03-01 09:00", 2, LimitUnit.NaturalHours, false)]
    public void A_schedule_says_whether_it_counts_over_a_provisional_year(
        string calendar, string start, double amount, LimitUnit unit, bool provisional)
    {
        var schedule = SlaLights.Schedule(Named(calendar), Local(start), new Limit(amount, unit));
        Assert.Equal(provisional, schedule.Provisional);
    }

    [Fact]
    public void The_schedule_still_deconstructs_into_yellow_and_red_and_builds_from_two_instants()
    {
        var schedule = SlaLights.Schedule(Calendar, Local("2026-12-31 16:00"), new Limit(1, LimitUnit.WorkingDays));
        var (yellowAt, redAt) = schedule;
        Assert.Equal((schedule.YellowAt, schedule.RedAt), (yellowAt, redAt));
        Assert.False(new SlaSchedule(yellowAt, redAt).Provisional);
    }

    [Fact]
    public void A_deadline_counted_while_2027_was_unlisted_moves_by_exactly_its_holidays_when_2027_arrives()
    {
        // given 3 working days from Wednesday Dec 30 10:00, counted when 2027 was not listed: Dec 31, Jan 1, Jan 4
        var start = Local("2026-12-30 10:00");
        var limit = new Limit(3, LimitUnit.WorkingDays);
        var old = SlaLights.Schedule(Without2027, start, limit);
        Assert.Equal(("2027-01-01 14:30", "2027-01-04 10:00", true), (Show(old.YellowAt), Show(old.RedAt), old.Provisional));

        // when 2027 is listed (provisional, New Year's Day off)
        var moved = SlaLights.Rescheduled(Without2027, Calendar, start, old);

        // then the deadline moves by one working day, the working time of the one new holiday, and stays provisional
        Assert.Equal(("2027-01-04 14:30", "2027-01-05 10:00", true), (Show(moved.YellowAt), Show(moved.RedAt), moved.Provisional));
        var holidays = Without2027.WorkingTimeBetween(start, old.RedAt) - Calendar.WorkingTimeBetween(start, old.RedAt);
        Assert.Equal(Duration.FromMinutes(450), holidays);
        Assert.Equal(holidays, Calendar.WorkingTimeBetween(old.RedAt, moved.RedAt));
        Assert.Equal(SlaLights.Schedule(Calendar, start, limit), moved);
    }

    [Fact]
    public void A_provisional_deadline_moves_onto_the_official_schedule_and_is_no_longer_provisional()
    {
        // given 3 working days from Wednesday Feb 3 10:00 under the provisional 2027: Feb 4, Feb 9, Feb 10
        var start = Local("2027-02-03 10:00");
        var old = SlaLights.Schedule(Calendar, start, new Limit(3, LimitUnit.WorkingDays));
        Assert.Equal(("2027-02-09 14:30", "2027-02-10 10:00", true), (Show(old.YellowAt), Show(old.RedAt), old.Provisional));

        // when the (invented) official 2027 closes Feb 5-11
        var moved = SlaLights.Rescheduled(Calendar, InventedOfficial2027, start, old);

        // then yellow and red keep their working time from the start: Feb 4, Feb 12, Feb 15
        Assert.Equal(("2027-02-12 14:30", "2027-02-15 10:00", false), (Show(moved.YellowAt), Show(moved.RedAt), moved.Provisional));
        Assert.Equal(Calendar.WorkingTimeBetween(start, old.RedAt), InventedOfficial2027.WorkingTimeBetween(start, moved.RedAt));
        Assert.Equal(Calendar.WorkingTimeBetween(start, old.YellowAt), InventedOfficial2027.WorkingTimeBetween(start, moved.YellowAt));
    }

    [Theory]
    [InlineData("2026-11-24 09:00", 5, LimitUnit.WorkingDays)]
    [InlineData("2026-09-30 14:00", 1, LimitUnit.WorkingDays)]   // over National Day 2026
    [InlineData("2026-12-31 09:00", 3, LimitUnit.WorkingHours)]  // ends Dec 31 12:00
    [InlineData("2026-12-31 14:00", 1, LimitUnit.WorkingHours)]
    public void A_deadline_wholly_inside_official_years_does_not_move(string start, double amount, LimitUnit unit)
    {
        foreach (var (previous, current) in new[] { (Without2027, Calendar), (Calendar, InventedOfficial2027) })
        {
            var old = SlaLights.Schedule(previous, Local(start), new Limit(amount, unit));
            Assert.False(old.Provisional);
            Assert.Equal(old, SlaLights.Rescheduled(previous, current, Local(start), old));
        }
    }

    [Fact]
    public void Rescheduling_onto_the_same_calendar_changes_nothing()
    {
        var start = Local("2026-12-31 16:00");
        var old = SlaLights.Schedule(Calendar, start, new Limit(10, LimitUnit.WorkingDays));
        Assert.Equal(old, SlaLights.Rescheduled(Calendar, Calendar, start, old));
    }

    [Fact]
    public void The_changes_between_two_calendars_read_as_lines()
    {
        Assert.Empty(Calendar.ChangesFrom(Calendar));
        Assert.Empty(Calendar.ChangesFrom(BusinessCalendar.Parse(CalendarText)));
        Assert.Equal(["2027: added (provisional)"], Calendar.ChangesFrom(Without2027));
        Assert.Equal(["2027: removed"], Without2027.ChangesFrom(Calendar));
        Assert.Equal(["2027: official schedule (was provisional)", "2027: holidays changed", "2027: make-up working days changed"],
            InventedOfficial2027.ChangesFrom(Calendar));
        Assert.Equal(["2027: provisional (was official)", "2027: holidays changed", "2027: make-up working days changed"],
            Calendar.ChangesFrom(InventedOfficial2027));
        Assert.Equal(["2027: added (official)"], InventedOfficial2027.ChangesFrom(Without2027));

        var with2028 = SampleWith(root => root["years"]!.AsArray().Add(JsonNode.Parse("""{"year": 2028, "provisional": true}""")));
        Assert.Equal(["2028: added (provisional)"], with2028.ChangesFrom(Calendar));

        var extraHoliday = SampleWith(root => root["years"]![0]!["holidays"]!.AsArray().Add("2026-12-31"));
        Assert.Equal(["2026: holidays changed"], extraHoliday.ChangesFrom(Calendar));

        var saturdayAsFriday = SampleWith(root => root["years"]![0]!["makeUpWorkdays"]![0]!["worksAs"] = "friday");
        Assert.Equal(["2026: make-up working days changed"], saturdayAsFriday.ChangesFrom(Calendar));

        var urumqi = SampleWith(root => root["zone"] = "Asia/Urumqi");
        Assert.Equal(["zone changed"], urumqi.ChangesFrom(Calendar));

        var longerFriday = SampleWith(root => root["week"]!["friday"] = new JsonArray("08:30-12:00", "13:30-18:00"));
        Assert.Equal(["weekly hours changed"], longerFriday.ChangesFrom(Calendar));

        // a weekday listed with no periods works the same as one not listed
        var emptySaturday = SampleWith(root => root["week"]!["saturday"] = new JsonArray());
        Assert.Empty(emptySaturday.ChangesFrom(Calendar));

        var summerHours = SampleWith(root => root["weekChanges"] = JsonNode.Parse("""
            [{"from": "2027-07-01", "week": {"monday": ["09:00-12:00", "13:00-18:00"]}}]
            """));
        Assert.Equal(["weekly hours from 2027-07-01 added"], summerHours.ChangesFrom(Calendar));
        Assert.Equal(["weekly hours from 2027-07-01 removed"], Calendar.ChangesFrom(summerHours));
        var laterSummerHours = SampleWith(root => root["weekChanges"] = JsonNode.Parse("""
            [{"from": "2027-07-01", "week": {"monday": ["09:00-12:00", "13:00-17:00"]}}]
            """));
        Assert.Equal(["weekly hours from 2027-07-01 changed"], laterSummerHours.ChangesFrom(summerHours));

        Assert.Equal(["zone changed", "weekly hours changed", "2027: removed"],
            SampleWith(root =>
            {
                root["zone"] = "Asia/Urumqi";
                root["week"]!["saturday"] = new JsonArray("09:00-11:00");
                RemoveYear(root, 2027);
            }).ChangesFrom(Calendar));
    }
}

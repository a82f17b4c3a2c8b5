using System.Text.Json.Nodes;
using CityCase.Domain.Cases;
using CityCase.Domain.Time;
using NodaTime;
using static CityCase.Domain.Tests.Cases.CaseScenario;
using static CityCase.Domain.Tests.Time.TimeSamples;

namespace CityCase.Domain.Tests.Cases;

/// <summary>
/// Given a deadline counted over a year whose official holidays were not loaded yet, when the year arrives,
/// then the deadline is counted again, once.
/// </summary>
public sealed class ProvisionalClocksTests
{
    /// <summary>Version 1: the sample calendar, 2027 provisional (statutory days only: 1 January is off).</summary>
    private static readonly SlaPolicy Version1 = new(Calendar, (_, _) => null) { CalendarVersion = 1 };

    /// <summary>
    /// Version 2: an invented official 2027 (NOT the State Council's; its notice is not out) that also gives
    /// Monday 4 January off.
    /// </summary>
    private static readonly BusinessCalendar Official2027 = SampleWith(root =>
    {
        var years = root["years"]!.AsArray();
        years.Remove(years.Single(y => (int)y!["year"]! == 2027));
        years.Add(JsonNode.Parse("""{"year": 2027, "holidays": ["2027-01-01", "2027-01-04"], "makeUpWorkdays": []}"""));
    });

    private static readonly RecountProvisionalClocks ToVersion2 =
        new(Official2027, 2, v => v == 1 ? Calendar : null, "calendar version 2: 2027: official schedule (was provisional)");

    private static Case ReportedAt(string local)
    {
        var blank = Case.NotYetReported(Id, "20261229-00001");
        var events = CaseDecider.DecideAndFollow(blank, new ReportComplaint("Pothole", Reported.Location, null, null),
            Agent, Local(local), Rules, Version1);
        return events.Aggregate(blank, (state, e) => state.After(e));
    }

    [Fact]
    public void A_deadline_that_reaches_into_a_provisional_year_is_marked_provisional_and_one_within_2026_is_not()
    {
        var state = ReportedAt("2026-12-29 10:00");

        // 5 working days from Tuesday 10:00: Dec 29 (6 h), 30, 31, (Jan 1 off), Jan 4, 5, and 1.5 h of Jan 6.
        var citizen = state.Clocks[ClockKind.Citizen];
        Assert.Equal(("2027-01-06 10:00", true, 1), (Show(citizen.Deadline), citizen.Provisional, citizen.CalendarVersion));
        var filing = state.Clocks[ClockKind.Filing];
        Assert.Equal(("2026-12-29 10:30", false), (Show(filing.Deadline), filing.Provisional));
    }

    [Fact]
    public void When_the_year_becomes_official_a_provisional_deadline_is_counted_again_once()
    {
        var state = ReportedAt("2026-12-29 10:00");

        var moved = Assert.Single(CaseDecider.Decide(state, ToVersion2, Agent, Now, Rules));

        var m = Assert.IsType<ClockDeadlineMoved>(moved);
        Assert.Equal((ClockKind.Citizen, "2027-01-07 10:00", false, 2, ToVersion2.Reason),
            (m.Clock, Show(m.Deadline), m.Provisional, m.CalendarVersion, m.Reason));
        Assert.Empty(CaseDecider.Decide(state.After(moved), ToVersion2, Agent, Now, Rules));
    }

    [Fact]
    public void A_suspended_case_has_its_provisional_deadlines_counted_again_too()
    {
        var state = ReportedAt("2026-12-29 10:00").After(new CaseSuspended(Id, "road works", Dispatcher, Local("2026-12-29 11:00")));

        Assert.Single(CaseDecider.Decide(state, ToVersion2, Agent, Now, Rules));
    }

    [Fact]
    public void Natural_hour_clocks_are_never_provisional()
    {
        var schedule = SlaLights.Schedule(Calendar, Local("2026-12-31 23:00"), new Limit(2, LimitUnit.NaturalHours));
        Assert.False(schedule.Provisional);
    }
}

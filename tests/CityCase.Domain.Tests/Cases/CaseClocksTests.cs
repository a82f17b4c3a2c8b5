using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Time;
using NodaTime;
using NodaTime.Text;
using CityCase.Domain.Tests.Time;
using static CityCase.Domain.Tests.Time.TimeSamples;

namespace CityCase.Domain.Tests.Cases;

/// <summary>Given a case's history, when its next events happen, then these clocks start, stop or move.</summary>
public sealed class CaseClocksTests
{
    private static readonly BusinessCalendar Calendar = new(Shanghai,
        new[] { IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday }
            .ToDictionary(d => d, _ => (IReadOnlyList<WorkingPeriod>)
                [new(new LocalTime(8, 30), new LocalTime(12, 0)), new(new LocalTime(13, 30), new LocalTime(17, 30))]));

    private static readonly SlaPolicy Policy = new(Calendar, (category, urgency) => (category, urgency) switch
    {
        ("0201", Urgency.Normal) => new Limit(3, LimitUnit.WorkingDays),
        ("0201", Urgency.Urgent) => new Limit(8, LimitUnit.WorkingHours),
        ("0102", _) => new Limit(2, LimitUnit.NaturalHours),
        _ => null,
    });

    private static readonly Guid Id = CaseScenario.Id;
    private static readonly Actor Someone = CaseScenario.Dispatcher;

    private static Instant At(string local) => TimeSamples.Local(local);

    /// <summary>Plays events through the clocks as the handlers do, returning the final state.</summary>
    private static Case Play(params (object Event, Instant When)[] steps)
    {
        var state = Case.NotYetReported(((CaseReported)steps[0].Event).CaseId, "");
        foreach (var (e, when) in steps)
        {
            var clocks = CaseClocks.Follow(state, [e], Policy, when);
            state = state.After(e);
            foreach (var c in clocks) state = state.After(c);
        }
        return state;
    }

    private static readonly CaseReported Reported = CaseScenario.Reported;
    private static CaseAccepted Accepted(Urgency urgency = Urgency.Normal, string category = "0201") =>
        new(Id, category, urgency, null, Someone, default);
    private static readonly CaseDispatched Dispatched = new(Id, "D02", true, Someone, default);
    private static readonly CaseSigned Signed = new(Id, "D02", Someone, default);

    [Fact]
    public void A_hotline_report_starts_the_filing_clock_and_the_citizens_five_working_days()
    {
        var state = Play((Reported, At("2026-11-27 16:00")));   // a Friday

        Assert.Equal("2026-11-27 16:30", Show(state.Clocks[ClockKind.Filing].Deadline));
        Assert.Equal("2026-11-27 16:24", Show(state.Clocks[ClockKind.Filing].YellowAt));
        // 5 working days = 5 x 7.5 working hours, never 5 x 24 hours: from Friday 16:00 to the next Friday 16:00.
        Assert.Equal("2026-12-04 16:00", Show(state.Clocks[ClockKind.Citizen].Deadline));
    }

    [Fact]
    public void Filing_stops_and_an_urgent_case_gets_ten_minutes_to_dispatch()
    {
        var state = Play((Reported, At("2026-11-24 09:00")), (Accepted(Urgency.Urgent), At("2026-11-24 09:05")));

        Assert.False(state.Clocks.ContainsKey(ClockKind.Filing));
        Assert.Equal("2026-11-24 09:15", Show(state.Clocks[ClockKind.Dispatch].Deadline));
    }

    [Fact]
    public void Dispatch_starts_signing_and_the_categorys_disposal_limit()
    {
        var state = Play((Reported, At("2026-11-24 09:00")), (Accepted(), At("2026-11-24 09:05")), (Dispatched, At("2026-11-24 11:30")));

        Assert.False(state.Clocks.ContainsKey(ClockKind.Dispatch));
        Assert.Equal("2026-11-24 14:00", Show(state.Clocks[ClockKind.Signing].Deadline));   // 1 working hour over lunch
        Assert.Equal("2026-11-27 11:30", Show(state.Clocks[ClockKind.Disposal].Deadline));  // 3 working days
    }

    [Fact]
    public void Natural_hour_limits_run_through_the_night()
    {
        var state = Play((Reported, At("2026-11-24 17:00")), (Accepted(category: "0102"), At("2026-11-24 17:10")),
            (Dispatched, At("2026-11-24 23:00")));

        Assert.Equal("2026-11-25 01:00", Show(state.Clocks[ClockKind.Disposal].Deadline));
        Assert.Equal("2026-11-25 00:36", Show(state.Clocks[ClockKind.Disposal].YellowAt));
    }

    [Fact]
    public void Suspension_stops_time_and_resumption_extends_by_the_working_time_suspended()
    {
        var state = Play((Reported, At("2026-11-24 09:00")), (Accepted(), At("2026-11-24 09:05")), (Dispatched, At("2026-11-24 09:30")),
            (Signed, At("2026-11-24 10:00")),
            (new CaseSuspended(Id, "works", Someone, At("2026-11-24 11:00")), At("2026-11-24 11:00")),
            (new CaseResumed(Id, "done", Someone, At("2026-11-25 11:00")), At("2026-11-25 11:00")));  // 7.5 working hours later

        Assert.Equal("2026-11-30 09:30", Show(state.Clocks[ClockKind.Disposal].Deadline));  // Friday 09:30 + one working day
    }

    [Fact]
    public void An_approved_extension_adds_its_working_hours_and_a_refused_one_nothing()
    {
        var started = new (object, Instant)[]
        {
            (Reported, At("2026-11-24 09:00")), (Accepted(), At("2026-11-24 09:05")), (Dispatched, At("2026-11-24 09:30")),
            (Signed, At("2026-11-24 10:00")), (new ExtensionRequested(Id, 4, "parts", Someone, default), At("2026-11-24 10:30")),
        };
        var approved = Play([.. started, (new ExtensionDecided(Id, true, 4, null, Someone, default), At("2026-11-24 11:00"))]);
        var refused = Play([.. started, (new ExtensionDecided(Id, false, 4, null, Someone, default), At("2026-11-24 11:00"))]);

        Assert.Equal("2026-11-27 15:00", Show(approved.Clocks[ClockKind.Disposal].Deadline));
        Assert.Equal("2026-11-27 09:30", Show(refused.Clocks[ClockKind.Disposal].Deadline));
    }

    [Fact]
    public void Rework_keeps_the_original_disposal_deadline()
    {
        var state = Play((Reported, At("2026-11-24 09:00")), (Accepted(), At("2026-11-24 09:05")), (Dispatched, At("2026-11-24 09:30")),
            (Signed, At("2026-11-24 10:00")),
            (new DisposalReported(Id, "D02", "done", [], Someone, default), At("2026-11-25 10:00")),
            (new DisposalVerified(Id, false, "no", Someone, default), At("2026-11-25 11:00")));

        Assert.False(state.Clocks.ContainsKey(ClockKind.Verification));
        Assert.Equal("2026-11-27 09:30", Show(state.Clocks[ClockKind.Disposal].Deadline));
    }

    [Fact]
    public void A_return_stops_the_departments_clocks_and_the_next_dispatch_starts_fresh_ones()
    {
        var state = Play((Reported, At("2026-11-24 09:00")), (Accepted(), At("2026-11-24 09:05")), (Dispatched, At("2026-11-24 09:30")),
            (new CaseReturned(Id, "D02", "not ours", Someone, default), At("2026-11-24 10:00")));
        Assert.False(state.Clocks.ContainsKey(ClockKind.Disposal));
        Assert.Equal("2026-11-24 10:30", Show(state.Clocks[ClockKind.Dispatch].Deadline));

        var clocks = CaseClocks.Follow(state, [Dispatched with { DepartmentCode = "D07" }], Policy, At("2026-11-25 09:00"));
        var disposal = Assert.Single(clocks.OfType<ClockStarted>(), c => c.Clock == ClockKind.Disposal);
        Assert.Equal("2026-11-30 09:00", Show(disposal.Deadline));
    }

    [Fact]
    public void Verification_then_closing_and_the_close_stops_every_clock()
    {
        var state = Play((Reported, At("2026-11-24 09:00")), (Accepted(), At("2026-11-24 09:05")), (Dispatched, At("2026-11-24 09:30")),
            (Signed, At("2026-11-24 10:00")),
            (new DisposalReported(Id, "D02", "done", [], Someone, default), At("2026-11-25 10:00")),
            (new DisposalVerified(Id, true, null, Someone, default), At("2026-11-25 10:30")));
        Assert.Equal([ClockKind.Closing, ClockKind.Citizen], state.Clocks.Keys.Order());

        var closed = CaseClocks.Follow(state, [new CaseClosed(Id, Someone, default)], Policy, At("2026-11-25 11:00"));
        Assert.Equal([ClockKind.Closing, ClockKind.Citizen], closed.OfType<ClockStopped>().Select(s => s.Clock).Order());
    }

    [Fact]
    public void A_light_is_recorded_once_per_level_only_when_due_and_only_while_the_clock_runs()
    {
        var state = Play((Reported, At("2026-11-24 09:00")));
        Assert.Empty(CaseClocks.DecideLight(state, ClockKind.Filing, Light.Yellow, At("2026-11-24 09:23")));

        var yellow = Assert.Single(CaseClocks.DecideLight(state, ClockKind.Filing, Light.Yellow, At("2026-11-24 09:24")));
        state = state.After(yellow);
        Assert.Empty(CaseClocks.DecideLight(state, ClockKind.Filing, Light.Yellow, At("2026-11-24 09:25")));
        Assert.Empty(CaseClocks.DecideLight(state, ClockKind.Filing, Light.Red, At("2026-11-24 09:30")));

        var red = Assert.IsType<SlaLightChanged>(Assert.Single(CaseClocks.DecideLight(state, ClockKind.Filing, Light.Red, At("2026-11-24 09:31"))));
        Assert.Equal((ClockKind.Filing, Light.Red), (red.Clock, red.Light));
        state = state.After(red);
        Assert.Empty(CaseClocks.DecideLight(state, ClockKind.Filing, Light.Red, At("2026-11-24 10:00")));

        var accepted = Play((Reported, At("2026-11-24 09:00")), (Accepted(), At("2026-11-24 09:10")));
        Assert.Empty(CaseClocks.DecideLight(accepted, ClockKind.Filing, Light.Red, At("2026-11-24 12:00")));  // the stage ended first
    }

    [Fact]
    public void No_light_while_suspended()
    {
        var state = Play((Reported, At("2026-11-24 09:00")), (Accepted(), At("2026-11-24 09:05")),
            (new CaseSuspended(Id, "x", Someone, At("2026-11-24 09:06")), At("2026-11-24 09:06")));
        Assert.Empty(CaseClocks.DecideLight(state, ClockKind.Dispatch, Light.Red, At("2026-11-25 09:00")));
    }
}

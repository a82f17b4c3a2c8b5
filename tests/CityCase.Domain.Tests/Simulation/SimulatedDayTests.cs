using CityCase.Domain.Cases;
using CityCase.Domain.Reference;
using CityCase.Domain.Tests.Reference;
using CityCase.Domain.Time;
using CityCase.Simulation;
using NodaTime;

namespace CityCase.Domain.Tests.Simulation;

/// <summary>
/// The fuller simulated day, checked against the pure decider: every journey is one the loop accepts step by step,
/// the day reaches every status and takes every path, and a seed gives the same day again.
/// </summary>
public class SimulatedDayTests
{
    private static readonly ReferenceData District = ReferenceSample.Data;
    private static readonly SlaPolicy Policy = new(Time.TimeSamples.Calendar,
        (code, urgency) => District.Categories.First(c => c.Code == code).DisposalLimit(urgency));
    private static readonly Instant Midnight = new LocalDate(2026, 11, 24).AtStartOfDayInZone(Time.TimeSamples.Calendar.Zone).ToInstant();

    [Theory]
    [InlineData(20261124, 60)]
    [InlineData(20261124, 40)] // the day the integration test plays
    [InlineData(7, 40)]
    [InlineData(3, 400)]
    public void A_day_is_decided_to_the_end_reaching_every_status_and_taking_every_path(int seed, int cases)
    {
        var day = new SimulatedDay(District, seed).FullDay(cases);

        var (finals, reached) = Decide(day);

        Assert.Equal(Enum.GetValues<CaseStatus>(), reached.Order());
        Assert.Equal(Enum.GetValues<DayPath>(), Enum.GetValues<DayPath>().Where(p => day.Any(j => j.Paths.Contains(p))));
        // How the cases end the day, as the journeys say.
        Assert.Equal(day.Count(j => j.Paths.Contains(DayPath.Rejected)), finals.Count(s => s.Status == CaseStatus.Rejected));
        Assert.Equal(day.Count(j => j.Paths.Contains(DayPath.Merged)), finals.Count(s => s.Status == CaseStatus.Merged));
        Assert.Equal(day.Count(j => j.Paths.Contains(DayPath.Voided) || j.Paths.Contains(DayPath.FalseAlarmVoided)),
            finals.Count(s => s.Status == CaseStatus.Voided));
        Assert.Equal(day.Count(j => j.Paths.Contains(DayPath.Closed)), finals.Count(s => s.Status == CaseStatus.Closed));
        Assert.Equal(day.Count(j => j.Paths.Contains(DayPath.LeftOpen)), finals.Count(s => s.IsOpen));
        Assert.All(finals.Where(s => s.Status == CaseStatus.Closed && s.Source == CaseSource.Hotline && s.Reopenings > 0),
            s => Assert.True(s.CompletionNotified));
    }

    [Fact]
    public void The_classic_day_the_load_benchmarks_play_takes_every_case_to_closed()
    {
        // The seed verb's day (seed 7), long enough to hold every rare combination (an urgent-drawn patrol finding of a
        // category reviewed only when urgent was once asked for a review the decider refused).
        var (finals, _) = Decide([.. new SimulatedDay(District, seed: 7).Journeys(5_000)]);

        // Traffic signs and road collapses included: their required photos come with the steps.
        Assert.Contains(finals, s => s.CategoryCode is "0202" or "1501");
        Assert.All(finals, s => Assert.True(s.Status == CaseStatus.Closed || s.Reopenings == 1, $"{s.Number} ended {s.Status}"));
    }

    [Fact]
    public void A_seed_gives_the_same_day_and_another_seed_another()
    {
        static string Describe(IEnumerable<CaseJourney> day) => string.Join("\n", day.Select(j =>
            $"{j.Index} {j.ArrivesAfterMidnight} {j.Arrival.Source} {j.Arrival.CategoryCode} {j.Arrival.Location} "
            + string.Join(",", j.Paths.Order()) + " | " + string.Join(",", j.Steps.Select(s => $"{s.Command.GetType().Name}/{s.By}/{s.After}"))));

        Assert.Equal(Describe(new SimulatedDay(District, 7).FullDay(80)), Describe(new SimulatedDay(District, 7).FullDay(80)));
        Assert.NotEqual(Describe(new SimulatedDay(District, 7).FullDay(80)), Describe(new SimulatedDay(District, 8).FullDay(80)));
    }

    [Fact]
    public void A_long_day_keeps_the_documented_shares()
    {
        var day = new SimulatedDay(District).FullDay(5_000);

        foreach (var (channel, share) in SimulatedDay.ChannelShares)
            Assert.Equal(share * day.Count, day.Count(j => j.Arrival.Source == channel), 0.5);
        var hotline = day.Where(j => j.Arrival.Source == CaseSource.Hotline).ToList();
        foreach (var (fate, share) in SimulatedDay.Fates[CaseSource.Hotline])
            Assert.Equal(share, (double)hotline.Count(j => j.Paths.Contains(fate)) / hotline.Count, 0.01);
        var closed = day.Where(j => j.Paths.Contains(DayPath.Closed)).ToList();
        foreach (var path in new[] { DayPath.Extension, DayPath.Rework, DayPath.WrongDepartmentReturned, DayPath.NamedWorker })
            Assert.Equal(SimulatedDay.WayShares.Single(w => w.Path == path).Share, (double)closed.Count(j => j.Paths.Contains(path)) / closed.Count, 0.01);
        // Arrivals in order, hotline calls busiest mid-morning, patrols only in the day shifts.
        Assert.Equal(day.Select(j => j.ArrivesAfterMidnight).Order(), day.Select(j => j.ArrivesAfterMidnight));
        int Hour(CaseJourney j) => (int)j.ArrivesAfterMidnight.TotalHours;
        Assert.True(hotline.Count(j => Hour(j) == 10) > 10 * hotline.Count(j => Hour(j) == 3));
        Assert.All(day.Where(j => j.Arrival.Source == CaseSource.Patrol), j => Assert.InRange(Hour(j), 7, 18));
    }

    /// <summary>Decides every journey as the handlers would (merges as the merge handler does), at its simulated times.</summary>
    private static (List<Case> Finals, HashSet<CaseStatus> Reached) Decide(IReadOnlyList<CaseJourney> day)
    {
        var cases = new Dictionary<int, Case>();
        var reached = new HashSet<CaseStatus>();
        foreach (var journey in day)
        {
            var now = Midnight + journey.ArrivesAfterMidnight;
            var a = journey.Arrival;
            CaseCommand report = a.Source switch
            {
                CaseSource.Sensor => new RaiseSensorAlarm(a.Sensor!.SensorId, a.Sensor.AlarmType, a.Location, a.Sensor.Severity),
                CaseSource.Patrol => new ReportPatrolFinding(a.Description, a.Location, a.CategoryCode, []),
                _ => new ReportComplaint(a.Description, a.Location, a.CategoryCode, null), // no citizen: sealing is the intake handler's
            };
            var fresh = Case.NotYetReported(Guid.NewGuid(), $"20261124-{journey.Index + 1:D5}");
            var state = Apply(fresh, CaseDecider.DecideAndFollow(fresh, report, Actor(a.Source == CaseSource.Sensor ? Roles.Device : Roles.Agent), now, District, Policy),
                reached);
            foreach (var step in journey.Steps)
            {
                now += step.After;
                var by = step.By.ToActor("sim-" + step.By.Role + step.By.Department);
                try
                {
                    if (step.Command is MergeIntoJourney merge)
                    {
                        var original = cases[merge.OriginalIndex];
                        state = Apply(state, CaseDecider.DecideAndFollow(state, new MergeCase(original), by, now, District, Policy), reached);
                        cases[merge.OriginalIndex] = Apply(original,
                            CaseDecider.DecideAndFollow(original, new RecordMergedDuplicate(state), by, now, District, Policy), reached);
                    }
                    else state = Apply(state, CaseDecider.DecideAndFollow(state, step.Command, by, now, District, Policy), reached);
                }
                catch (DomainException e)
                {
                    Assert.Fail($"journey {journey.Index} ({string.Join(",", journey.Paths)}), {step.Command.GetType().Name} by {step.By}: {e.Message}");
                }
            }
            cases[journey.Index] = state;
        }
        return ([.. cases.Values], reached);
    }

    private static Case Apply(Case state, IReadOnlyList<object> events, HashSet<CaseStatus> reached)
    {
        foreach (var e in events)
        {
            state = state.After(e);
            reached.Add(state.Status);
        }
        return state;
    }

    private static Actor Actor(string role) => new("sim-" + role, "Simulated " + role, role);
}

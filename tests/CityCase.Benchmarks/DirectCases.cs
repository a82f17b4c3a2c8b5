using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Reference;
using CityCase.Domain.Time;
using CityCase.Engine.Privacy;
using CityCase.Simulation;
using Marten;
using NodaTime;

namespace CityCase.Benchmarks;

/// <summary>
/// The baseline: the same decisions the handlers make (the pure decider and clocks) appended straight
/// through a Marten session of the engine's own store, so the same inline projections run, but with no
/// HTTP, GraphQL, Wolverine, tokens or case-number table.
/// </summary>
public sealed class DirectCases(IDocumentStore store, ReferenceData district, SlaPolicy sla, CitizenVault vault)
{
    private long _sequence = 500_000; // case numbers far above the server's own for the day

    private string NextNumber(Instant now) =>
        CaseNumber.Format(now.InZone(sla.Calendar.Zone).Date, Interlocked.Increment(ref _sequence));

    /// <summary>The events that report a case, and its citizen's key, as the intake handler decides and seals them.</summary>
    public (IReadOnlyList<object> Events, CitizenKey? Key) Report(Guid caseId, CaseArrival arrival, Instant now)
    {
        CitizenKey? key = null;
        var (report, by) = arrival.Source == CaseSource.Patrol
            ? ((CaseCommand)new ReportPatrolFinding(arrival.Description, arrival.Location, arrival.CategoryCode, []),
                new Actor("bench-inspector", "Bench inspector", Roles.Inspector))
            : (new ReportComplaint(arrival.Description, arrival.Location, arrival.CategoryCode, arrival.Citizen),
                new Actor("bench-agent", "Bench agent", Roles.Agent));
        if (report is ReportComplaint { HasCitizen: true } complaint)
        {
            (key, var sealedCitizen) = vault.Seal(caseId, complaint.Citizen!);
            report = complaint with { Sealed = sealedCitizen };
        }
        return (CaseDecider.DecideAndFollow(Case.NotYetReported(caseId, NextNumber(now)), report, by, now, district, sla), key);
    }

    /// <summary>The events of one step on a case in <paramref name="state"/>, as the case handler decides them.</summary>
    public IReadOnlyList<object> Step(Case state, JourneyStep step, Instant now)
    {
        return CaseDecider.DecideAndFollow(state, step.Command, step.By.ToActor("bench-" + step.By.Role), now, district, sla);
    }

    /// <summary>Reports one case in its own session and transaction.</summary>
    public async Task<Guid> ReportAsync(CaseArrival arrival, Instant now)
    {
        var id = Guid.CreateVersion7();
        await using var session = store.LightweightSession();
        var (events, key) = Report(id, arrival, now);
        session.Events.StartStream<Case>(id, events);
        if (key is not null) session.Insert(key);
        await session.SaveChangesAsync();
        return id;
    }

    /// <summary>A whole journey, one transaction per step with FetchForWriting, as the handlers do it.</summary>
    public async Task PlayJourneyAsync(CaseJourney journey, Instant now)
    {
        var id = await ReportAsync(journey.Arrival, now);
        foreach (var step in journey.Steps)
        {
            await using var session = store.LightweightSession();
            var stream = await session.Events.FetchForWriting<Case>(id);
            stream.AppendMany(Step(stream.Aggregate!, step, now));
            await session.SaveChangesAsync();
        }
    }

    /// <summary>A whole journey's events decided in memory at its simulated times (for seeding), cut after <paramref name="steps"/> steps.</summary>
    public (Guid Id, IReadOnlyList<object> Events, CitizenKey? Key) Decide(CaseJourney journey, Instant arrives, int steps,
        JourneyStep? thenStep = null)
    {
        var id = Guid.CreateVersion7();
        var now = arrives;
        var (reported, key) = Report(id, journey.Arrival, now);
        var events = reported.ToList();
        var state = Case.From(events);
        foreach (var step in journey.Steps.Take(steps).Concat(thenStep is null ? [] : [thenStep]))
        {
            now += step.After;
            var next = Step(state, step, now);
            events.AddRange(next);
            foreach (var e in next) state = state.After(e);
        }
        return (id, events, key);
    }
}

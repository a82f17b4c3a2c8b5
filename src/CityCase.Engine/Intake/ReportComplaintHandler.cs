using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Engine.Cases;
using NodaTime;
using Wolverine.Marten;

namespace CityCase.Engine.Intake;

/// <summary>An agent's request to file a hotline complaint, as it arrives from GraphQL.</summary>
public sealed record FileComplaint(
    string Description,
    Location Location,
    string? CategoryCode,
    Citizen? Citizen,
    Actor Agent);

/// <summary>What intake answers: enough for the client to find the case again.</summary>
public sealed record CaseFiled(Guid CaseId, string CaseNumber, int Version);

public static class ReportComplaintHandler
{
    public static async Task<(CaseFiled, IStartStream)> Handle(
        FileComplaint command, CaseNumbers numbers, IClock clock, CancellationToken ct)
    {
        var complaint = new ReportComplaint(command.Description, command.Location, command.CategoryCode,
            command.Citizen, command.Agent, clock.GetCurrentInstant());
        CaseIntake.Validate(complaint); // before a number is spent on it

        var caseId = Guid.CreateVersion7();
        var reported = CaseIntake.Decide(complaint, caseId, await numbers.NextAsync(ct));
        return (new CaseFiled(caseId, reported.CaseNumber, 1),
            MartenOps.StartStream<CaseView>(caseId, reported));
    }
}

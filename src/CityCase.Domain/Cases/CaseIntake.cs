using NodaTime;

namespace CityCase.Domain.Cases;

/// <summary>A call-centre agent files a citizen's complaint from the 12345 hotline.</summary>
public sealed record ReportComplaint(
    string Description,
    Location Location,
    string? CategoryCode,
    Citizen? Citizen,
    Actor Agent,
    Instant Now);

/// <summary>Pure decisions for a new case: validate the report and state the fact.</summary>
public static class CaseIntake
{
    public const int MaxDescriptionLength = 4000;

    /// <summary>Throws <see cref="ValidationFailedException"/> naming every problem with the report.</summary>
    public static void Validate(ReportComplaint command)
    {
        var problems = new List<string>();
        var description = command.Description?.Trim() ?? "";
        if (description.Length == 0)
            problems.Add("description must not be empty");
        else if (description.Length > MaxDescriptionLength)
            problems.Add($"description must be at most {MaxDescriptionLength} characters (was {description.Length})");
        problems.AddRange(command.Location.Problems());
        if (command.CategoryCode is { } code && !CategoryCodes.IsWellFormed(code))
            problems.Add($"categoryCode must be 4 digits, major class then minor class (was '{code}')");
        if (problems.Count > 0)
            throw new ValidationFailedException(string.Join("; ", problems));
    }

    public static CaseReported Decide(ReportComplaint command, Guid caseId, string caseNumber)
    {
        Validate(command);
        var description = command.Description.Trim();

        var citizen = command.Citizen is { Name: null or "", Phone: null or "" } ? null : command.Citizen;
        return new CaseReported(
            caseId, caseNumber, CaseSource.Hotline, description,
            command.Location with { Address = string.IsNullOrWhiteSpace(command.Location.Address) ? null : command.Location.Address.Trim() },
            command.CategoryCode, citizen, command.Agent, command.Now);
    }
}

public static class CategoryCodes
{
    /// <summary>Major class (2 digits) followed by minor class (2 digits).</summary>
    public static bool IsWellFormed(string code) => code.Length == 4 && code.All(char.IsAsciiDigit);
}

using NodaTime;

namespace CityCase.Domain.Cases;

/// <summary>An agent files a citizen's complaint from the 12345 hotline.</summary>
public sealed record ReportComplaint(
    string Description,
    Location Location,
    string? CategoryCode,
    Citizen? Citizen,
    Actor Agent,
    Instant Now);

/// <summary>A grid inspector reports what they found on patrol, with its category and photos.</summary>
public sealed record ReportPatrolFinding(
    string Description,
    Location Location,
    string CategoryCode,
    IReadOnlyList<string> PhotoUrls,
    Actor Inspector,
    Instant Now);

/// <summary>A sensor raises an alarm.</summary>
public sealed record RaiseSensorAlarm(
    string SensorId,
    string AlarmType,
    Location Location,
    string Severity,
    Actor Device,
    Instant Now);

/// <summary>
/// Pure decisions for a new case: validate the report and state the facts. The caller resolves the
/// location's grid (<paramref name="place"/>) from the district's grid index; a location outside every
/// grid is refused.
/// </summary>
public static class CaseIntake
{
    public const int MaxDescriptionLength = 4000;

    /// <summary>Throws <see cref="ValidationFailedException"/> naming every problem with the complaint.</summary>
    public static void Validate(ReportComplaint command, ICaseRules? rules = null) =>
        Check(Problems(command.Description, command.Location, command.CategoryCode, rules));

    public static void Validate(ReportPatrolFinding command, ICaseRules? rules = null)
    {
        var problems = Problems(command.Description, command.Location, command.CategoryCode, rules).ToList();
        if (string.IsNullOrWhiteSpace(command.CategoryCode)) problems.Add("categoryCode must not be empty");
        problems.AddRange(PhotoProblems(command.PhotoUrls));
        Check(problems);
    }

    public static void Validate(RaiseSensorAlarm command)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(command.SensorId)) problems.Add("sensorId must not be empty");
        if (string.IsNullOrWhiteSpace(command.AlarmType)) problems.Add("alarmType must not be empty");
        if (string.IsNullOrWhiteSpace(command.Severity)) problems.Add("severity must not be empty");
        problems.AddRange(command.Location.Problems());
        Check(problems);
    }

    public static CaseReported Decide(ReportComplaint command, Guid caseId, string caseNumber, CasePlace? place)
    {
        Validate(command);
        var citizen = command.Citizen is { Name: null or "", Phone: null or "" } ? null : command.Citizen;
        return new CaseReported(caseId, caseNumber, CaseSource.Hotline, command.Description.Trim(), Clean(command.Location),
            command.CategoryCode, citizen, command.Agent, command.Now, Inside(place, command.Location));
    }

    /// <summary>Inspectors' reports are trusted without an on-site check: the finding is filed at once.</summary>
    public static IReadOnlyList<object> Decide(ReportPatrolFinding command, Guid caseId, string caseNumber, CasePlace? place)
    {
        Validate(command);
        return
        [
            new CaseReported(caseId, caseNumber, CaseSource.Patrol, command.Description.Trim(), Clean(command.Location),
                command.CategoryCode, null, command.Inspector, command.Now, Inside(place, command.Location),
                [.. command.PhotoUrls.Select(u => u.Trim())]),
            new CaseAccepted(caseId, command.CategoryCode, Urgency.Normal, "Filed directly from an inspector's patrol",
                command.Inspector, command.Now),
        ];
    }

    public static CaseReported Decide(RaiseSensorAlarm command, Guid caseId, string caseNumber, CasePlace? place)
    {
        Validate(command);
        var alarm = new SensorAlarm(command.SensorId.Trim(), command.AlarmType.Trim(), command.Severity.Trim());
        return new CaseReported(caseId, caseNumber, CaseSource.Sensor,
            $"Sensor {alarm.SensorId} raised {alarm.AlarmType} ({alarm.Severity})", Clean(command.Location), null, null,
            command.Device, command.Now, Inside(place, command.Location), Sensor: alarm);
    }

    /// <summary>The key that folds a storm of repeats into one open case: the same sensor and alarm type.</summary>
    public static string SensorKey(string sensorId, string alarmType) => $"{sensorId.Trim()}|{alarmType.Trim()}";

    private static CasePlace Inside(CasePlace? place, Location location) =>
        place ?? throw new ValidationFailedException(
            $"location ({location.Longitude}, {location.Latitude}) is outside every unit grid of the district");

    private static Location Clean(Location location) =>
        location with { Address = string.IsNullOrWhiteSpace(location.Address) ? null : location.Address.Trim() };

    private static IEnumerable<string> Problems(string? description, Location location, string? categoryCode, ICaseRules? rules)
    {
        var text = description?.Trim() ?? "";
        if (text.Length == 0)
            yield return "description must not be empty";
        else if (text.Length > MaxDescriptionLength)
            yield return $"description must be at most {MaxDescriptionLength} characters (was {text.Length})";
        foreach (var problem in location.Problems()) yield return problem;
        if (!string.IsNullOrWhiteSpace(categoryCode))
        {
            if (!CategoryCodes.IsWellFormed(categoryCode))
                yield return $"categoryCode must be 4 digits, major class then minor class (was '{categoryCode}')";
            else if (rules is not null && !rules.IsKnownCategory(categoryCode))
                yield return $"categoryCode '{categoryCode}' is not in the category catalogue";
        }
    }

    private static IEnumerable<string> PhotoProblems(IReadOnlyList<string> urls) =>
        urls.Where(u => !Uri.TryCreate(u?.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            .Select(u => $"photoUrls must be http(s) URLs (was '{u}')");

    private static void Check(IEnumerable<string> problems)
    {
        var list = problems.ToList();
        if (list.Count > 0) throw new ValidationFailedException(string.Join("; ", list));
    }
}

public static class CategoryCodes
{
    /// <summary>Major class (2 digits) followed by minor class (2 digits).</summary>
    public static bool IsWellFormed(string code) => code.Length == 4 && code.All(char.IsAsciiDigit);
}

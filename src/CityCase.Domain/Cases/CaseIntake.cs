using NodaTime;

namespace CityCase.Domain.Cases;

/// <summary>
/// An agent files a citizen's complaint from the 12345 hotline. <see cref="Citizen"/> is the caller as given (validated
/// here); <see cref="Sealed"/> is the same caller sealed under the new case's key by intake before the decision, and it
/// is all the events keep.
/// </summary>
public sealed record ReportComplaint(string Description, Location Location, string? CategoryCode, Citizen? Citizen)
    : CaseCommand, ICitizenReport
{
    [System.Text.Json.Serialization.JsonIgnore] // random on every sealing: not part of what the request asked for
    public SealedCitizen? Sealed { get; init; }

    public bool HasCitizen => Citizen is { IsEmpty: false };

    public CaseCommand SealedAs(SealedCitizen sealedCitizen) => this with { Sealed = sealedCitizen };
}

/// <summary>
/// A citizen's request through an Open311 GeoReport v2 partner (<c>POST /open311/v2/requests</c>): filed like a hotline
/// complaint (the same checks, grid and clocks), but its category (the service code) is required, it may link to media
/// and answer the category's questions, and its source is <see cref="CaseSource.Open311"/> with the partner as recorder.
/// </summary>
public sealed record ReportServiceRequest(string Description, Location Location, string ServiceCode, Citizen? Citizen,
    string? MediaUrl, IReadOnlyList<Reference.AttributeAnswer> Attributes) : CaseCommand, ICitizenReport
{
    [System.Text.Json.Serialization.JsonIgnore] // random on every sealing: not part of what the request asked for
    public SealedCitizen? Sealed { get; init; }

    public bool HasCitizen => Citizen is { IsEmpty: false };

    public CaseCommand SealedAs(SealedCitizen sealedCitizen) => this with { Sealed = sealedCitizen };
}

/// <summary>A report that may name its citizen: intake seals the citizen under the new case's key before the decision.</summary>
public interface ICitizenReport
{
    Citizen? Citizen { get; }
    bool HasCitizen { get; }

    /// <summary>The same report with its citizen sealed: all the events will keep.</summary>
    CaseCommand SealedAs(SealedCitizen sealedCitizen);
}

/// <summary>A grid inspector reports what they found on patrol, with its category and photos.</summary>
public sealed record ReportPatrolFinding(string Description, Location Location, string CategoryCode, IReadOnlyList<string> PhotoUrls)
    : CaseCommand;

/// <summary>What a sensor says about one alarm: raised (again) or cleared. Routed to the open case of its <see cref="SensorKey"/>.</summary>
public interface ISensorSignal
{
    string SensorId { get; }
    string AlarmType { get; }

    /// <summary>Whether the signal opens a case when none is open for its sensor and alarm type (a raise does, a clear does not).</summary>
    bool OpensCase { get; }
}

/// <summary>A sensor raises an alarm: a new case, or a repeat folded into the open case of the same sensor and alarm type.</summary>
public sealed record RaiseSensorAlarm(string SensorId, string AlarmType, Location Location, string Severity) : CaseCommand, ISensorSignal
{
    public bool OpensCase => true;
}

/// <summary>
/// Repeats of a sensor's alarm received together, folded into its open case at once: <see cref="Count"/> alarms, the last
/// one's severity, the idempotency keys of those that carried one and when the first was received (the device path).
/// </summary>
public sealed record FoldSensorAlarms(string Severity, int Count, IReadOnlyList<string> IdempotencyKeys, Instant FirstReceivedAt) : CaseCommand;

/// <summary>A sensor says its alarm is over.</summary>
public sealed record ClearSensorAlarm(string SensorId, string AlarmType) : CaseCommand, ISensorSignal
{
    public bool OpensCase => false;
}

/// <summary>
/// Pure decisions for a new case: validate the report and state the facts. The location's grid comes from
/// the district's grid index through <see cref="ICaseRules.PlaceAt"/>; a location outside every grid is refused.
/// </summary>
public static class CaseIntake
{
    public const int MaxDescriptionLength = TextLimits.Description;

    /// <summary>
    /// Throws <see cref="ValidationFailedException"/> naming every problem with a report, so intake can refuse it
    /// before a case number is spent on it.
    /// </summary>
    public static void Validate(CaseCommand report, ICaseRules rules) => Check(report switch
    {
        ReportComplaint c => Problems(c.Description, c.Location, c.CategoryCode, rules).Concat(CitizenProblems(c.Citizen)),
        ReportServiceRequest r => Problems(r.Description, r.Location, r.ServiceCode, rules, "service_code")
            .Concat(TextLimits.IsVisible(r.ServiceCode) ? [] : ["service_code must not be empty"])
            .Concat(CitizenProblems(r.Citizen))
            .Concat(r.MediaUrl is null ? [] : TextLimits.PhotoProblems([r.MediaUrl]).Select(_ =>
                $"media_url must be an http(s) URL of at most {TextLimits.PhotoUrl} characters"))
            .Concat(rules.IsKnownCategory(r.ServiceCode.Trim())
                ? Reference.ServiceAttributes.Problems(r.ServiceCode.Trim(), rules.AttributesOf(r.ServiceCode.Trim()), r.Attributes)
                : []),
        ReportPatrolFinding f => Problems(f.Description, f.Location, f.CategoryCode, rules)
            .Concat(string.IsNullOrWhiteSpace(f.CategoryCode) ? ["categoryCode must not be empty"] : [])
            .Concat(TextLimits.PhotoProblems(f.PhotoUrls)),
        RaiseSensorAlarm a => SensorProblems(a).Concat(a.Location.Problems()).Concat(PlaceProblems(a.Location, rules)),
        ClearSensorAlarm c => SensorProblems(c),
        _ => throw new ArgumentOutOfRangeException(nameof(report), report.GetType().Name, "not a report of a new case"),
    });

    internal static IReadOnlyList<object> Decide(Case blank, CaseCommand report, Actor by, Instant now, ICaseRules rules)
    {
        Validate(report, rules);
        var (id, number) = (blank.Id, blank.Number);
        return report switch
        {
            ReportComplaint c =>
            [
                new CaseReported(id, number, CaseSource.Hotline, c.Description.Trim(), Clean(c.Location), c.CategoryCode,
                    !c.HasCitizen ? null
                    : SealedFor(id, c.Sealed),
                    by, now, Inside(c.Location, rules)),
            ],
            ReportServiceRequest r =>
            [
                new CaseReported(id, number, CaseSource.Open311, r.Description.Trim(), Clean(r.Location), r.ServiceCode.Trim(),
                    r.HasCitizen ? SealedFor(id, r.Sealed) : null, by, now, Inside(r.Location, rules),
                    MediaUrl: string.IsNullOrWhiteSpace(r.MediaUrl) ? null : r.MediaUrl.Trim(),
                    Attributes: Reference.ServiceAttributes.Clean(rules.AttributesOf(r.ServiceCode.Trim()), r.Attributes) is { Count: > 0 } answers
                        ? answers : null),
            ],
            // Inspectors' reports are trusted without an on-site check: the finding is filed at once.
            ReportPatrolFinding f =>
            [
                new CaseReported(id, number, CaseSource.Patrol, f.Description.Trim(), Clean(f.Location), f.CategoryCode, null,
                    by, now, Inside(f.Location, rules), [.. f.PhotoUrls.Select(u => u.Trim())]),
                new CaseAccepted(id, f.CategoryCode, Urgency.Normal, "Filed directly from an inspector's patrol", by, now),
            ],
            RaiseSensorAlarm a => [SensorReported(id, number, a, by, now, rules)],
            _ => throw new ArgumentOutOfRangeException(nameof(report), report.GetType().Name, "not a report of a new case"),
        };
    }

    private static SealedCitizen SealedFor(Guid caseId, SealedCitizen? sealedCitizen) =>
        sealedCitizen is { } s && s.KeyId == caseId
            ? s
            : throw new InvalidOperationException("the citizen must be sealed under the new case's key before the report is decided");

    private static CaseReported SensorReported(Guid id, string number, RaiseSensorAlarm a, Actor by, Instant now, ICaseRules rules)
    {
        var alarm = new SensorAlarm(a.SensorId.Trim(), a.AlarmType.Trim(), a.Severity.Trim());
        return new CaseReported(id, number, CaseSource.Sensor, $"Sensor {alarm.SensorId} raised {alarm.AlarmType} ({alarm.Severity})",
            Clean(a.Location), null, null, by, now, Inside(a.Location, rules), Sensor: alarm);
    }

    /// <summary>The key that folds a storm of repeats into one open case: the same sensor and alarm type.</summary>
    public static string SensorKey(ISensorSignal signal) => $"{signal.SensorId.Trim()}|{signal.AlarmType.Trim()}";

    private static CasePlace Inside(Location location, ICaseRules rules) =>
        rules.PlaceAt(location) ?? throw new ValidationFailedException(OutsideTheDistrict(location));

    private static string OutsideTheDistrict(Location location) =>
        $"location ({location.Longitude}, {location.Latitude}) is outside every unit grid of the district";

    private static IEnumerable<string> PlaceProblems(Location location, ICaseRules rules) =>
        !location.Problems().Any() && rules.PlaceAt(location) is null ? [OutsideTheDistrict(location)] : [];

    private static Location Clean(Location location) =>
        location with { Address = string.IsNullOrWhiteSpace(location.Address) ? null : location.Address.Trim() };

    private static IEnumerable<string> SensorProblems(ISensorSignal signal)
    {
        IEnumerable<(string Field, string? Value)> fields = signal is RaiseSensorAlarm a
            ? [("sensorId", a.SensorId), ("alarmType", a.AlarmType), ("severity", a.Severity)]
            : [("sensorId", signal.SensorId), ("alarmType", signal.AlarmType)];
        foreach (var (field, value) in fields)
            if (!TextLimits.IsVisible(value)) yield return $"{field} must not be empty";
            else if (TextLimits.TooLong(value, field, TextLimits.SensorField) is { } tooLong) yield return tooLong;
    }

    private static IEnumerable<string> CitizenProblems(Citizen? citizen)
    {
        if (TextLimits.TooLong(citizen?.Name, "citizen.name", TextLimits.CitizenName) is { } name) yield return name;
        if (TextLimits.TooLong(citizen?.Phone, "citizen.phone", TextLimits.Phone) is { } phone) yield return phone;
        if (TextLimits.TooLong(citizen?.Email, "citizen.email", TextLimits.Email) is { } email) yield return email;
    }

    private static IEnumerable<string> Problems(string? description, Location location, string? categoryCode, ICaseRules rules,
        string categoryField = "categoryCode")
    {
        if (!TextLimits.IsVisible(description))
            yield return "description must not be empty";
        else if (TextLimits.TooLong(description, "description", MaxDescriptionLength) is { } tooLong)
            yield return tooLong;
        if (TextLimits.TooLong(location.Address, "location.address", TextLimits.Address) is { } address) yield return address;
        foreach (var problem in location.Problems()) yield return problem;
        foreach (var problem in PlaceProblems(location, rules)) yield return problem;
        if (!string.IsNullOrWhiteSpace(categoryCode))
        {
            if (!CategoryCodes.IsWellFormed(categoryCode))
                yield return $"{categoryField} must be 4 digits, major class then minor class (was '{categoryCode}')";
            else if (!rules.IsKnownCategory(categoryCode))
                yield return $"{categoryField} '{categoryCode}' is not in the category catalogue";
        }
    }

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

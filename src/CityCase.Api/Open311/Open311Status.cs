using CityCase.Domain.Cases;
using CityCase.Domain.Reference;
using CityCase.Domain.Time;
using CityCase.Engine.Cases;
using NodaTime;
using NodaTime.Text;

namespace CityCase.Api.Open311;

/// <summary>
/// How a case reads in Open311, stated once (the README's "Open311" section copies this table): Open311's two statuses
/// from CityCase's nine and the suspension flag, and the public note that says why. The notes are fixed phrases built
/// from facts (status, department, notices given), never staff's free text, which may name people.
/// </summary>
public static class Open311Status
{
    public const string Open = "open";
    public const string Closed = "closed";

    /// <summary>CityCase status → Open311 status and the note's first sentence ({agency}: the department's name).</summary>
    public static readonly IReadOnlyDictionary<CaseStatus, (string Status, string Note)> Table = new Dictionary<CaseStatus, (string, string)>
    {
        [CaseStatus.Reported] = (Open, "Received; awaiting acceptance."),
        [CaseStatus.Accepted] = (Open, "Accepted and filed; awaiting dispatch to a department."),
        [CaseStatus.Dispatched] = (Open, "Sent to {agency}."),
        [CaseStatus.InProgress] = (Open, "{agency} is working on it."),
        [CaseStatus.Disposed] = (Open, "{agency} reports the work done; awaiting an on-site check."),
        [CaseStatus.Closed] = (Closed, "Closed: the work was done and checked on site."),
        [CaseStatus.Rejected] = (Closed, "Closed without action: the report was not accepted."),
        [CaseStatus.Voided] = (Closed, "Closed without action: withdrawn as filed by mistake."),
        [CaseStatus.Merged] = (Closed, "Closed as a duplicate: merged into request {mergedInto}; follow that request."),
    };

    public const string SuspendedNote = "Suspended: the work is on hold (e.g. seasonal or engineering work) and its time limit is stopped until it resumes.";
    public const string AcceptanceNotice = "The citizen was told it was accepted.";
    public const string CompletionNotice = "The citizen was told it was done.";

    public static string StatusOf(CaseView view) => Table[view.Status].Status;

    public static string NotesOf(CaseView view, string? agency, string? mergedIntoNumber)
    {
        var notes = new List<string>();
        if (view.Suspended && view.IsOpen) notes.Add(SuspendedNote);
        notes.Add(Table[view.Status].Note
            .Replace("{agency}", agency ?? "The department")
            .Replace("{mergedInto}", mergedIntoNumber ?? "another request"));
        if (view.AcceptanceNotified) notes.Add(AcceptanceNotice);
        if (view.CompletionNotified) notes.Add(CompletionNotice);
        return string.Join(" ", notes);
    }

    /// <summary>The department answering for the case now (or last, once it has ended); null before dispatch.</summary>
    public static string? AgencyOf(CaseView view, ReferenceData reference) =>
        (view.DepartmentCode ?? view.Departments.LastOrDefault()) is { } code && reference.DepartmentsByCode.TryGetValue(code, out var d)
            ? d.Name
            : null;

    /// <summary>When the city means to have answered the citizen: the citizen clock's deadline, while it runs.</summary>
    public static Instant? ExpectedOf(CaseView view) => view.Clocks.FirstOrDefault(c => c.Clock == ClockKind.Citizen)?.Deadline;
}

/// <summary>w3c date-times in the city's zone with its offset (<c>2026-11-30T09:15:00+08:00</c>), as GeoReport v2 asks.</summary>
public sealed class Open311Time(DateTimeZone zone)
{
    private static readonly OffsetDateTimePattern Pattern = OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'sso<Z+HH:mm>");

    public DateTimeZone Zone { get; } = zone;

    public string Format(Instant at) => Pattern.Format(at.InZone(Zone).ToOffsetDateTime());

    public string? Format(Instant? at) => at is { } a ? Format(a) : null;

    /// <summary>A w3c date-time with an offset or Z (seconds and fractions optional), or a date alone (its start in the city's zone).</summary>
    public Instant? Parse(string text)
    {
        text = text.Trim();
        if (OffsetDateTimePattern.ExtendedIso.Parse(text) is { Success: true } full) return full.Value.ToInstant();
        if (OffsetDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mmo<G>").Parse(text) is { Success: true } minutes)
            return minutes.Value.ToInstant();
        if (LocalDatePattern.Iso.Parse(text) is { Success: true } date) return date.Value.AtStartOfDayInZone(Zone).ToInstant();
        return null;
    }
}

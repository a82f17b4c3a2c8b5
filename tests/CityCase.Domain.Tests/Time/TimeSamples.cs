using CityCase.Domain.Time;
using NodaTime;
using NodaTime.Text;

namespace CityCase.Domain.Tests.Time;

/// <summary>
/// The sample Shanghai calendar (08:30-12:00, 13:30-17:30; the official 2026 holidays, 2027 provisional with the
/// statutory days only) and local-time helpers.
/// </summary>
internal static class TimeSamples
{
    public static readonly DateTimeZone Shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];

    /// <summary>The text of samples/reference/calendar.json, read by the test (the domain itself never touches files).</summary>
    public static readonly string CalendarText = File.ReadAllText(SampleFile());

    /// <summary>samples/reference/calendar.json as a calendar.</summary>
    public static readonly BusinessCalendar Calendar = BusinessCalendar.Parse(CalendarText);

    /// <summary>The sample calendar with its JSON edited first (a year dropped or added, hours changed).</summary>
    public static BusinessCalendar SampleWith(Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(CalendarText)!.AsObject();
        edit(root);
        return BusinessCalendar.Parse(root.ToJsonString());
    }

    private static readonly LocalDateTimePattern Pattern = LocalDateTimePattern.CreateWithInvariantCulture("yyyy-MM-dd HH:mm");

    /// <summary>A Shanghai wall-clock time as an instant.</summary>
    public static Instant Local(string text) => Pattern.Parse(text).Value.InZoneStrictly(Shanghai).ToInstant();

    /// <summary>An instant as Shanghai wall-clock time.</summary>
    public static string Show(Instant instant) => Pattern.Format(instant.InZone(Shanghai).LocalDateTime);

    /// <summary>The deadline of a limit as the clocks compute it (<see cref="SlaLights.Schedule"/>).</summary>
    public static Instant Deadline(this BusinessCalendar calendar, Instant start, double amount, LimitUnit unit) =>
        SlaLights.Schedule(calendar, start, new Limit(amount, unit)).RedAt;

    private static string SampleFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CityCase.sln"))) return Path.Combine(dir.FullName, "samples", "reference", "calendar.json");
        throw new InvalidOperationException("CityCase.sln not found above " + AppContext.BaseDirectory);
    }
}

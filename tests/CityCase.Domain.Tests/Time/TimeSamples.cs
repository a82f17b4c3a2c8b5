using CityCase.Domain.Time;
using NodaTime;
using NodaTime.Text;

namespace CityCase.Domain.Tests.Time;

/// <summary>The sample 2026 Shanghai calendar (08:30-12:00, 13:30-17:30, official holidays) and local-time helpers.</summary>
internal static class TimeSamples
{
    public static readonly DateTimeZone Shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];

    /// <summary>samples/reference/calendar.json, read by the test (the domain itself never touches files).</summary>
    public static readonly BusinessCalendar Calendar = BusinessCalendar.Parse(File.ReadAllText(SampleFile()));

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

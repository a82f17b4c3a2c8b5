using NodaTime;

namespace CityCase.Domain.Cases;

/// <summary>
/// The human case number: the city's local date and that day's sequence, e.g. <c>20261124-00042</c>.
/// Readable over the phone, sorts by time, and unique because the sequence is allocated atomically.
/// </summary>
public static class CaseNumber
{
    public static string Format(LocalDate day, long sequence) =>
        $"{DayPrefix(day)}-{sequence:D5}";

    /// <summary>The day every number of that day starts with; numbers sort by it (as text) before their sequence.</summary>
    public static string DayPrefix(LocalDate day) => $"{day.Year:D4}{day.Month:D2}{day.Day:D2}";
}

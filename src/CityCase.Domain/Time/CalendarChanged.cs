using NodaTime;

namespace CityCase.Domain.Time;

/// <summary>
/// The city's business calendar changed (a year's official holidays arrived, hours changed): who, when, what
/// changed, and the whole calendar now in force, as text. Recorded on the city's calendar stream, whose version
/// is the calendar's version; every deadline records the version it was counted on.
/// </summary>
public sealed record CalendarChanged(string Calendar, IReadOnlyList<string> Changes, IReadOnlyList<int> OfficialYears,
    IReadOnlyList<int> ProvisionalYears, Actor By, Instant At)
{
    /// <summary>The one stream that holds the calendar's history.</summary>
    public static readonly Guid StreamId = Guid.Parse("0198a0c4-ca1e-7da2-8000-00000000ca1e");
}

using CityCase.Api.GraphQL;
using NodaTime;
using NodaTime.Text;

namespace CityCase.Api.Assessment;

/// <summary>A day of the city's calendar, ISO-8601: <c>2026-11-25</c>.</summary>
public sealed class DateGraphType() : NodaPatternGraphType<LocalDate>("Date",
    "A day in the city's own time zone, ISO-8601, e.g. 2026-11-25.",
    LocalDatePattern.Iso, "an ISO-8601 date such as 2026-11-25");

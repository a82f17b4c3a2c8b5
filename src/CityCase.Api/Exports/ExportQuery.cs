using CityCase.Domain;
using GraphQL.Types;
using NodaTime;
using NodaTime.Text;

namespace CityCase.Api.Exports;

/// <summary>
/// An export's query string, read strictly: a parameter the export does not take, one given twice, or a value that
/// does not parse is refused by name (a mistyped filter must not quietly export everything). Names and values are
/// GraphQL's: <c>departmentCode</c>, <c>status=CLOSED</c>, <c>reportedFrom=2026-11-01T00:00:00Z</c>, <c>from=2026-11-01</c>.
/// </summary>
public sealed class ExportQuery
{
    private const int MaxValueLength = 100; // codes, enum names, dates: anything longer was not meant for here

    private readonly IQueryCollection _query;

    public ExportQuery(IQueryCollection query, params string[] parameters)
    {
        _query = query;
        foreach (var (name, values) in query)
        {
            if (!parameters.Contains(name))
                throw new ValidationFailedException($"'{name}' is not a parameter of this export; it takes {string.Join(", ", parameters)}");
            if (values.Count > 1)
                throw new ValidationFailedException($"'{name}' is given {values.Count} times; give it once");
            var value = values.ToString();
            if (value.Length == 0)
                throw new ValidationFailedException($"'{name}' is empty; leave it out not to filter on it");
            if (value.Length > MaxValueLength || value.Any(char.IsControl))
                throw new ValidationFailedException($"'{name}' must be at most {MaxValueLength} printable characters");
        }
    }

    public string? Text(string name) => _query.TryGetValue(name, out var value) && value.ToString() is { Length: > 0 } text ? text : null;

    public string Required(string name) => Text(name) ?? throw new ValidationFailedException($"'{name}' is required");

    public LocalDate Date(string name) => Parse(name, Required(name), LocalDatePattern.Iso, "a date like 2026-11-01");

    public YearMonth Month(string name) => Parse(name, Required(name), YearMonthPattern.Iso, "a month like 2026-11");

    public Instant? Instant(string name) => Text(name) is { } text ? Parse(name, text, InstantPattern.ExtendedIso, "an instant like 2026-11-01T00:00:00Z") : null;

    /// <summary>An enum value by its GraphQL name (<c>IN_PROGRESS</c>), from the schema's own enum type.</summary>
    public T? Enum<T>(string name, EnumerationGraphType type) where T : struct, System.Enum
    {
        if (Text(name) is not { } text) return null;
        return type.Values.FindByName(text)?.Value is T value
            ? value
            : throw new ValidationFailedException($"'{name}' is '{text}'; it must be one of {string.Join(", ", type.Values.Select(v => v.Name))}");
    }

    private static TValue Parse<TValue>(string name, string text, IPattern<TValue> pattern, string expected) =>
        pattern.Parse(text) is { Success: true } result ? result.Value : throw new ValidationFailedException($"'{name}' is '{text}'; it must be {expected}");
}

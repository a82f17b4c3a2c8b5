using GraphQL.Types;
using GraphQLParser.AST;
using NodaTime;
using NodaTime.Text;

namespace CityCase.Api.Assessment;

/// <summary>A day of the city's calendar, ISO-8601: <c>2026-11-25</c>.</summary>
public sealed class DateGraphType : ScalarGraphType
{
    public DateGraphType()
    {
        Name = "Date";
        Description = "A day in the city's own time zone, ISO-8601, e.g. 2026-11-25.";
    }

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        LocalDate date => LocalDatePattern.Iso.Format(date),
        _ => ThrowSerializationError(value),
    };

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        LocalDate date => date,
        string text => Parse(text),
        _ => ThrowValueConversionError(value),
    };

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLNullValue => null,
        GraphQLStringValue text => Parse((string)text.Value),
        _ => ThrowLiteralConversionError(value),
    };

    private static LocalDate Parse(string text)
    {
        var result = LocalDatePattern.Iso.Parse(text);
        return result.Success ? result.Value : throw new FormatException($"'{text}' is not an ISO-8601 date such as 2026-11-25.");
    }
}

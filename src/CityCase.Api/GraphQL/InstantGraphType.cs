using GraphQL.Types;
using GraphQLParser.AST;
using NodaTime;
using NodaTime.Text;

namespace CityCase.Api.GraphQL;

/// <summary>An instant on the global time line, as ISO-8601 UTC: <c>2026-11-24T08:00:00Z</c>.</summary>
public sealed class InstantGraphType : ScalarGraphType
{
    public InstantGraphType()
    {
        Name = "Instant";
        Description = "A moment on the global time line in ISO-8601 UTC, e.g. 2026-11-24T08:00:00Z.";
    }

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        Instant instant => InstantPattern.ExtendedIso.Format(instant),
        _ => ThrowSerializationError(value),
    };

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        Instant instant => instant,
        string text => Parse(text),
        _ => ThrowValueConversionError(value),
    };

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLNullValue => null,
        GraphQLStringValue text => Parse((string)text.Value),
        _ => ThrowLiteralConversionError(value),
    };

    private static Instant Parse(string text)
    {
        var result = InstantPattern.ExtendedIso.Parse(text);
        return result.Success
            ? result.Value
            : throw new FormatException($"'{text}' is not an ISO-8601 UTC instant such as 2026-11-24T08:00:00Z.");
    }
}

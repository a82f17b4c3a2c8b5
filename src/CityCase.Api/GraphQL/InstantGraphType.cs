using GraphQL.Types;
using GraphQLParser.AST;
using NodaTime;
using NodaTime.Text;

namespace CityCase.Api.GraphQL;

/// <summary>A NodaTime value as a GraphQL string scalar, written and read with one NodaTime pattern.</summary>
public abstract class NodaPatternGraphType<T> : ScalarGraphType where T : struct
{
    private readonly IPattern<T> _pattern;
    private readonly string _what;

    protected NodaPatternGraphType(string name, string description, IPattern<T> pattern, string what)
    {
        Name = name;
        Description = description;
        _pattern = pattern;
        _what = what;
    }

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        T typed => _pattern.Format(typed),
        _ => ThrowSerializationError(value),
    };

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        T typed => typed,
        string text => Parse(text),
        _ => ThrowValueConversionError(value),
    };

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLNullValue => null,
        GraphQLStringValue text => Parse((string)text.Value),
        _ => ThrowLiteralConversionError(value),
    };

    private T Parse(string text)
    {
        var result = _pattern.Parse(text);
        return result.Success ? result.Value : throw new FormatException($"'{text}' is not {_what}.");
    }
}

/// <summary>An instant on the global time line, as ISO-8601 UTC: <c>2026-11-24T08:00:00Z</c>.</summary>
public sealed class InstantGraphType() : NodaPatternGraphType<Instant>("Instant",
    "A moment on the global time line in ISO-8601 UTC, e.g. 2026-11-24T08:00:00Z.",
    InstantPattern.ExtendedIso, "an ISO-8601 UTC instant such as 2026-11-24T08:00:00Z");

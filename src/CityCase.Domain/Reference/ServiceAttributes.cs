using System.Globalization;
using NodaTime.Text;

namespace CityCase.Domain.Reference;

/// <summary>The kind of answer a category's question takes (Open311 GeoReport v2's attribute datatypes).</summary>
public enum AttributeDatatype
{
    /// <summary>A short line of text.</summary>
    String,

    /// <summary>A number (invariant culture, e.g. <c>3</c> or <c>2.5</c>).</summary>
    Number,

    /// <summary>A w3c date-time with an offset, e.g. <c>2026-11-30T08:15:00+08:00</c>.</summary>
    Datetime,

    /// <summary>A longer text.</summary>
    Text,

    /// <summary>Exactly one of the listed values' keys.</summary>
    SingleValueList,

    /// <summary>One or more of the listed values' keys.</summary>
    MultiValueList,
}

/// <summary>One choice of a list question: the key clients send and the name people read.</summary>
public sealed record AttributeValue(string Key, string Name);

/// <summary>
/// A question a category asks of a citizen's report (Open311's service attribute), e.g. whether a manhole cover is
/// missing or only moved: what the agent who files the case needs to choose its urgency. Its position in the
/// category's list is its order.
/// </summary>
public sealed record ServiceAttribute(string Code, AttributeDatatype Datatype, bool Required, string Description,
    string? DatatypeDescription, IReadOnlyList<AttributeValue> Values)
{
    public bool IsList => Datatype is AttributeDatatype.SingleValueList or AttributeDatatype.MultiValueList;
}

/// <summary>A citizen's answer to one of a category's questions: its code and the value(s) given (keys, for a list).</summary>
public sealed record AttributeAnswer(string Code, IReadOnlyList<string> Values);

/// <summary>The rules for a category's questions and their answers, stated once (the catalogue parser and intake use them).</summary>
public static class ServiceAttributes
{
    public const int MaxCodeLength = 50;
    public const int MaxStringLength = 200;

    /// <summary>Codes and keys clients send back: letters, digits, '_' and '-', so they sit safely in <c>attribute[CODE]</c>.</summary>
    public static bool IsWellFormedCode(string code) =>
        code.Length is > 0 and <= MaxCodeLength && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>What is wrong with the answers to the questions of category <paramref name="categoryCode"/>, naming each one.</summary>
    public static IEnumerable<string> Problems(string categoryCode, IReadOnlyList<ServiceAttribute> questions,
        IReadOnlyList<AttributeAnswer> answers, string field = "attribute")
    {
        var byCode = questions.ToDictionary(a => a.Code, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var answer in answers)
        {
            if (!byCode.TryGetValue(answer.Code, out var question))
            {
                yield return questions.Count == 0
                    ? $"{field}[{answer.Code}]: category {categoryCode} asks no questions"
                    : $"{field}[{answer.Code}] is not a question of category {categoryCode} (they are {string.Join(", ", byCode.Keys)})";
                continue;
            }
            if (!seen.Add(answer.Code)) { yield return $"{field}[{answer.Code}] is given twice"; continue; }
            var values = answer.Values.Where(TextLimits.IsVisible).Select(v => v.Trim()).ToList();
            if (values.Count == 0) continue; // an empty answer is no answer: "required" below says so if it must be given
            if (question.Datatype != AttributeDatatype.MultiValueList && values.Count > 1)
            {
                yield return $"{field}[{answer.Code}] takes one value (was {values.Count})";
                continue;
            }
            foreach (var value in values)
                if (ValueProblem(question, value) is { } problem) yield return $"{field}[{answer.Code}] {problem}";
        }
        foreach (var question in questions.Where(q => q.Required))
            if (!answers.Any(a => a.Code == question.Code && a.Values.Any(TextLimits.IsVisible)))
                yield return $"{field}[{question.Code}] is required ({question.Description})";
    }

    /// <summary>The answers as recorded: trimmed, empty ones dropped, in the catalogue's order of the questions.</summary>
    public static IReadOnlyList<AttributeAnswer> Clean(IReadOnlyList<ServiceAttribute> questions, IReadOnlyList<AttributeAnswer> answers)
    {
        var order = questions.Select((a, i) => (a.Code, i)).ToDictionary(x => x.Code, x => x.i);
        return [.. answers
            .Select(a => new AttributeAnswer(a.Code, [.. a.Values.Where(TextLimits.IsVisible).Select(v => v.Trim())]))
            .Where(a => a.Values.Count > 0)
            .OrderBy(a => order.GetValueOrDefault(a.Code, int.MaxValue))];
    }

    private static string? ValueProblem(ServiceAttribute question, string value) => question.Datatype switch
    {
        AttributeDatatype.SingleValueList or AttributeDatatype.MultiValueList =>
            question.Values.Any(v => v.Key == value)
                ? null
                : $"'{Short(value)}' is not one of its values ({string.Join(", ", question.Values.Select(v => v.Key))})",
        AttributeDatatype.Number => decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            ? null : $"must be a number (was '{Short(value)}')",
        AttributeDatatype.Datetime => OffsetDateTimePattern.ExtendedIso.Parse(value).Success
            ? null : $"must be a w3c date-time with an offset, e.g. 2026-11-30T08:15:00+08:00 (was '{Short(value)}')",
        AttributeDatatype.String => TextLimits.TooLong(value, "", MaxStringLength) is null
            ? null : $"must be at most {MaxStringLength} characters (was {value.Length})",
        AttributeDatatype.Text => TextLimits.TooLong(value, "", TextLimits.Note) is null
            ? null : $"must be at most {TextLimits.Note} characters (was {value.Length})",
        _ => null,
    };

    private static string Short(string value) => value.Length <= 40 ? value : value[..40] + "…";
}

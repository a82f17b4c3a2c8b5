using System.Globalization;

namespace CityCase.Domain;

/// <summary>
/// The longest text each kind of input may be, stated once: what a person writes is bounded, so nothing huge is
/// kept in the events for ever. (The API also refuses control characters and any text over 10,000 characters.)
/// </summary>
public static class TextLimits
{
    public const int Description = 4000;
    public const int Note = 2000;        // reasons, notes, results, comments
    public const int Address = 500;
    public const int CitizenName = 100;
    public const int Phone = 32;
    public const int Email = 254;       // RFC 5321's longest path
    public const int Channel = 50;
    public const int SensorField = 100;  // sensor id, alarm type, severity
    public const int PhotoUrl = 2000;
    public const int Photos = 20;

    /// <summary>Whether the text shows anything: not only spaces and invisible format characters (zero-width spaces and the like).</summary>
    public static bool IsVisible(string? text) =>
        text is not null && text.Any(c => !char.IsWhiteSpace(c) && char.GetUnicodeCategory(c) != UnicodeCategory.Format);

    /// <summary>The problem with a text longer than <paramref name="max"/>, if it is.</summary>
    public static string? TooLong(string? text, string field, int max) =>
        text is not null && text.Trim().Length > max ? $"{field} must be at most {max} characters (was {text.Trim().Length})" : null;

    /// <summary>What is wrong with a list of photo links: too many, or one that is no http(s) URL of a sensible length.</summary>
    public static IEnumerable<string> PhotoProblems(IReadOnlyList<string?> urls) =>
        urls.Count > Photos
            ? [$"photoUrls may hold at most {Photos} links (was {urls.Count})"]
            : urls.Where(u => u is null || u.Length > PhotoUrl
                              || !Uri.TryCreate(u.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                .Select(u => $"photoUrls must be http(s) URLs of at most {PhotoUrl} characters (was '{u?[..Math.Min(u.Length, 80)]}')");

    /// <summary>A required text, trimmed; refused when empty, invisible or too long.</summary>
    public static string Required(string? value, string field, int max = Note) =>
        !IsVisible(value) ? throw new ValidationFailedException($"{field} must not be empty")
        : TooLong(value, field, max) is { } problem ? throw new ValidationFailedException(problem)
        : value!.Trim();

    /// <summary>An optional text, trimmed, null when empty; refused when too long.</summary>
    public static string? Optional(string? value, string field, int max = Note) =>
        !IsVisible(value) ? null
        : TooLong(value, field, max) is { } problem ? throw new ValidationFailedException(problem)
        : value!.Trim();
}

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CityCase.Domain.Cases;
using CityCase.Domain.Reference;

namespace CityCase.Domain.Notices;

/// <summary>
/// The texts of the notices to citizens, per kind and language (notice-templates.json in the reference data). A text may
/// name only <c>{caseNumber}</c> and <c>{categoryName}</c>: no template can put a citizen's name or phone into a message.
/// </summary>
public sealed partial class NoticeTemplates
{
    public const string File = "notice-templates.json";
    public const int MaxLength = 500;
    public static readonly IReadOnlyList<string> Placeholders = ["caseNumber", "categoryName"];

    private readonly Dictionary<(NotificationKind, string), string> _texts;

    private NoticeTemplates(string defaultLanguage, Dictionary<(NotificationKind, string), string> texts)
    {
        DefaultLanguage = defaultLanguage;
        _texts = texts;
    }

    /// <summary>The language notices are written in unless the configuration names another.</summary>
    public string DefaultLanguage { get; }

    public IEnumerable<string> Languages => _texts.Keys.Select(k => k.Item2).Distinct();

    /// <summary>Whether every kind has a text in <paramref name="language"/>.</summary>
    public bool Covers(string language) => Enum.GetValues<NotificationKind>().All(kind => _texts.ContainsKey((kind, language)));

    /// <summary>The notice's text, its placeholders filled in.</summary>
    public string Render(NotificationKind kind, string language, string caseNumber, string? categoryName) =>
        _texts[(kind, language)].Replace("{caseNumber}", caseNumber).Replace("{categoryName}", categoryName ?? "");

    /// <summary>
    /// <c>{"defaultLanguage": "zh", "templates": [{"kind": "ACCEPTANCE", "language": "zh", "text": "…{caseNumber}…"}]}</c>:
    /// every kind needs a text in the default language; a kind and language at most once; texts not empty, at most 500
    /// characters, with no placeholder but those of <see cref="Placeholders"/>.
    /// </summary>
    public static NoticeTemplates Parse(string text)
    {
        var root = ReferenceJson.Root(File, text);
        var top = new JsonEntry(File, ReferenceJson.WholeFile, root);
        top.OnlyFields("defaultLanguage", "templates");
        var defaultLanguage = Language(top, top.Text("defaultLanguage"));
        var texts = new Dictionary<(NotificationKind, string), string>();
        var items = ReferenceJson.List(root, File, "templates", "templates");
        for (var i = 0; i < items.Count; i++)
        {
            var item = new JsonEntry(File, $"templates[{i}]", items[i]);
            item.OnlyFields("kind", "language", "text");
            var kind = item.Enum<NotificationKind>("kind");
            var language = Language(item, item.Text("language"));
            item.Rename($"template {Naming.ScreamingSnake(kind.ToString())}/{language}");
            var body = item.Text("text");
            if (body.Length > MaxLength) throw item.Error($"the text must be at most {MaxLength} characters (it has {body.Length})");
            foreach (Match m in PlaceholderPattern().Matches(body))
                if (!Placeholders.Contains(m.Groups[1].Value))
                    throw item.Error($"the text names {{{m.Groups[1].Value}}}, but a notice may name only {string.Join(", ", Placeholders.Select(p => $"{{{p}}}"))}");
            if (!texts.TryAdd((kind, language), body)) throw item.Error("this kind and language has a text already");
        }
        var templates = new NoticeTemplates(defaultLanguage, texts);
        foreach (var kind in Enum.GetValues<NotificationKind>())
            if (!texts.ContainsKey((kind, defaultLanguage)))
                throw top.Error($"no {Naming.ScreamingSnake(kind.ToString())} template in the default language '{defaultLanguage}'");
        return templates;
    }

    private static string Language(JsonEntry entry, string language) =>
        LanguagePattern().IsMatch(language) ? language : throw entry.Error($"'{language}' is not a language tag such as zh, en or zh-Hant");

    [GeneratedRegex(@"\{([^{}]*)\}")]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex("^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    private static partial Regex LanguagePattern();
}

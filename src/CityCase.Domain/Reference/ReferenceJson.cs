using System.Text.Json;
using System.Text.Json.Nodes;

namespace CityCase.Domain.Reference;

/// <summary>Reading the reference files' JSON with errors that name the file, the entry and the problem.</summary>
internal static class ReferenceJson
{
    public const string WholeFile = "(file)";

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>The file's top-level object.</summary>
    public static JsonObject Root(string file, string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: Strict);
        }
        catch (JsonException e)
        {
            throw new ReferenceDataException(file, WholeFile, $"not valid JSON: {e.Message}");
        }
        return root as JsonObject
               ?? throw new ReferenceDataException(file, WholeFile, $"the file must hold a JSON object (it holds {Describe(root)})");
    }

    /// <summary>The top-level list <paramref name="name"/>, whose items must be objects.</summary>
    public static IReadOnlyList<JsonObject> List(JsonObject root, string file, string name, string itemName)
    {
        if (root[name] is not JsonArray array)
            throw new ReferenceDataException(file, WholeFile,
                root.ContainsKey(name) ? $"'{name}' must be a list (it is {Describe(root[name])})" : $"the list '{name}' is missing");
        var items = new List<JsonObject>(array.Count);
        for (var i = 0; i < array.Count; i++)
            items.Add(array[i] as JsonObject
                      ?? throw new ReferenceDataException(file, $"{itemName}[{i}]", $"must be an object (it is {Describe(array[i])})"));
        return items;
    }

    /// <summary>What a JSON value is, for messages.</summary>
    public static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "a list",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => $"the text \"{node.GetValue<string>()}\"",
            JsonValueKind.Number => $"the number {node.ToJsonString()}",
            _ => node.ToJsonString(),
        },
    };
}

/// <summary>One entry of a reference file (a department, a category, a feature's properties...), read field by field.</summary>
internal sealed class JsonEntry(string file, string entry, JsonObject node, string path = "")
{
    private string _owner = entry;

    public string File { get; } = file;
    public JsonObject Node { get; } = node;

    /// <summary>The entry as messages name it: "category 0101", or "category 0101 disposalLimit.normal" for a nested object.</summary>
    public string Entry => path.Length == 0 ? _owner : $"{_owner} {path}";

    /// <summary>Names the entry by its code once that is known: "grid 310101001001001" reads better than "features[0]".</summary>
    public void Rename(string entry) => _owner = entry;

    public ReferenceDataException Error(string problem) => new(File, Entry, problem);

    /// <summary>A text field that must be present and not blank; returned trimmed.</summary>
    public string Text(string name) =>
        OptionalText(name) ?? throw Error($"'{name}' is missing");

    /// <summary>A text field that may be left out (or null); when given it must be text and not blank.</summary>
    public string? OptionalText(string name)
    {
        if (!Node.TryGetPropertyValue(name, out var value) || value is null) return null;
        if (value is not JsonValue || value.GetValueKind() != JsonValueKind.String)
            throw Error($"'{name}' must be text (it is {ReferenceJson.Describe(value)})");
        var text = value.GetValue<string>().Trim();
        return text.Length > 0 ? text : throw Error($"'{name}' is empty");
    }

    /// <summary>An object field that must be present.</summary>
    public JsonEntry Object(string name)
    {
        if (!Node.TryGetPropertyValue(name, out var value) || value is null) throw Error($"'{name}' is missing");
        return value is JsonObject child
            ? new JsonEntry(File, _owner, child, path.Length == 0 ? name : $"{path}.{name}")
            : throw Error($"'{name}' must be an object (it is {ReferenceJson.Describe(value)})");
    }

    /// <summary>A true/false field that may be left out (then <paramref name="otherwise"/>).</summary>
    public bool OptionalBool(string name, bool otherwise)
    {
        if (!Node.TryGetPropertyValue(name, out var value) || value is null) return otherwise;
        return value.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error($"'{name}' must be true or false (it is {ReferenceJson.Describe(value)})"),
        };
    }

    /// <summary>A list of objects that may be left out (then empty); each item is named <c>name[i]</c> in messages.</summary>
    public IReadOnlyList<JsonEntry> OptionalObjects(string name)
    {
        if (!Node.TryGetPropertyValue(name, out var value) || value is null) return [];
        if (value is not JsonArray array) throw Error($"'{name}' must be a list (it is {ReferenceJson.Describe(value)})");
        var items = new List<JsonEntry>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            var itemPath = $"{(path.Length == 0 ? "" : path + ".")}{name}[{i}]";
            items.Add(array[i] is JsonObject child
                ? new JsonEntry(File, _owner, child, itemPath)
                : throw new ReferenceDataException(File, $"{_owner} {itemPath}", $"must be an object (it is {ReferenceJson.Describe(array[i])})"));
        }
        return items;
    }

    /// <summary>A whole number above zero.</summary>
    public int PositiveWholeNumber(string name)
    {
        if (!Node.TryGetPropertyValue(name, out var value) || value is null) throw Error($"'{name}' is missing");
        if (value is JsonValue number && number.GetValueKind() == JsonValueKind.Number && number.TryGetValue<int>(out var n))
            return n > 0 ? n : throw Error($"'{name}' must be a whole number above 0 (it is {n})");
        throw Error($"'{name}' must be a whole number above 0 (it is {ReferenceJson.Describe(value)})");
    }

    /// <summary>An enum field spelled as GraphQL spells enums (WORKING_HOURS), exactly.</summary>
    public T Enum<T>(string name) where T : struct, System.Enum
    {
        var text = Text(name);
        foreach (var value in System.Enum.GetValues<T>())
            if (string.Equals(Naming.ScreamingSnake(value.ToString()), text, StringComparison.Ordinal))
                return value;
        throw Error($"{name} '{text}' is not one of {Names<T>()}");
    }

    /// <summary>Refuses fields the entry does not know, so that a misspelt optional field is not silently ignored.</summary>
    public void OnlyFields(params string[] known)
    {
        foreach (var (name, _) in Node)
            if (!known.Contains(name, StringComparer.Ordinal))
                throw Error($"unknown field '{name}' (the fields are {string.Join(", ", known)})");
    }

    public static string Names<T>() where T : struct, System.Enum =>
        string.Join(", ", System.Enum.GetNames<T>().Select(Naming.ScreamingSnake));
}

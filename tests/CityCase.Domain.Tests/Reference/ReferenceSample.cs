using System.Text.Json.Nodes;
using CityCase.Domain.Reference;

namespace CityCase.Domain.Tests.Reference;

/// <summary>The shipped sample district (samples/reference), read once, and ways to spoil a copy of it in memory.</summary>
public static class ReferenceSample
{
    public static string Folder { get; } = FindFolder();

    /// <summary>File name → text, as the engine would read them.</summary>
    public static IReadOnlyDictionary<string, string> Texts { get; } =
        ReferenceData.FileNames.ToDictionary(f => f, f => File.ReadAllText(Path.Combine(Folder, f)));

    public static ReferenceData Data { get; } = ReferenceData.Parse(Texts);

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CityCase.sln"))) return Path.Combine(dir.FullName, "samples", "reference");
        throw new InvalidOperationException($"CityCase.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>A fresh, editable copy of a sample file's JSON.</summary>
    public static JsonObject Json(string file) => JsonNode.Parse(Texts[file])!.AsObject();

    /// <summary>The sample texts with one file's JSON changed.</summary>
    public static Dictionary<string, string> With(string file, Action<JsonObject> change)
    {
        var json = Json(file);
        change(json);
        return WithText(file, json.ToJsonString());
    }

    /// <summary>The sample texts with one file replaced by the text given.</summary>
    public static Dictionary<string, string> WithText(string file, string text) =>
        new(Texts) { [file] = text };

    public static JsonArray Features(JsonObject grids) => grids["features"]!.AsArray();

    public static JsonObject Feature(JsonObject grids, string code) =>
        Features(grids).Single(f => (string?)f!["properties"]!["code"] == code)!.AsObject();

    /// <summary>The exterior ring's positions of a feature.</summary>
    public static JsonArray Ring(JsonObject feature) => feature["geometry"]!["coordinates"]![0]!.AsArray();

    public static JsonObject Category(JsonObject categories, string code) =>
        categories["categories"]!.AsArray().Single(c => (string?)c!["code"] == code)!.AsObject();

    /// <summary>Moves every position of the feature by (dx, dy) degrees.</summary>
    public static void Move(JsonObject feature, double dx, double dy)
    {
        foreach (var position in Ring(feature))
        {
            position![0] = Math.Round((double)position[0]! + dx, 7);
            position[1] = Math.Round((double)position[1]! + dy, 7);
        }
    }
}

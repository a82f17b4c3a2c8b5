using System.Text.Json.Nodes;

namespace CityCase.Domain.Reference;

/// <summary>An inspector's patrol beat (责任网格): the grids the inspector is answerable for.</summary>
public sealed record InspectorBeat(string UserId, string Name, IReadOnlyList<string> GridCodes);

/// <summary>
/// The optional <c>inspectors.json</c>: who patrols which grids, so a hotline report in a beat the
/// inspector did not report can be counted as missed. Without the file nobody has a beat.
/// </summary>
public static class InspectorBeats
{
    public const string File = "inspectors.json";

    /// <summary>Each grid's inspector, validated against the district's grids; a bad entry names the file, the entry and the problem.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string json, IReadOnlyDictionary<string, Grid> grids)
    {
        var root = ReferenceJson.Root(File, json);
        var inspectorOfGrid = new Dictionary<string, string>();
        var users = new HashSet<string>();
        var items = ReferenceJson.List(root, File, "inspectors", "inspectors");
        for (var i = 0; i < items.Count; i++)
        {
            var entry = new JsonEntry(File, $"inspectors[{i}]", items[i]);
            entry.OnlyFields("userId", "name", "gridCodes");
            var userId = entry.Text("userId");
            entry.Rename($"inspector {userId}");
            entry.Text("name");
            if (!users.Add(userId)) throw entry.Error("appears twice");
            if (items[i]["gridCodes"] is not JsonArray codes)
                throw entry.Error("'gridCodes' must be a list of grid codes");
            foreach (var node in codes)
            {
                var code = node?.GetValueKind() == System.Text.Json.JsonValueKind.String ? node.GetValue<string>() : null;
                if (code is null || !grids.ContainsKey(code))
                    throw entry.Error($"grid {ReferenceJson.Describe(node)} is not a grid of the district");
                if (!inspectorOfGrid.TryAdd(code, userId))
                    throw entry.Error($"grid {code} is already on the beat of {inspectorOfGrid[code]}");
            }
        }
        return inspectorOfGrid;
    }
}

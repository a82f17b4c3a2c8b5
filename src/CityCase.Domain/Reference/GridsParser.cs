using System.Text.Json;
using System.Text.Json.Nodes;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Union;
using NetTopologySuite.Operation.Valid;

namespace CityCase.Domain.Reference;

/// <summary>
/// Reads grids.geojson (an RFC 7946 FeatureCollection of Polygon features) and checks that the grids tile one area:
/// each polygon is valid, no two overlap, and together they make a single polygon without holes.
/// </summary>
internal static class GridsParser
{
    private const string File = ReferenceData.GridsFile;
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    /// <summary>Two grids may overlap by at most this share of the smaller one's area (≈ 1 cm² of 100 m x 100 m).</summary>
    private const double OverlapTolerance = 1e-8;

    public static List<Grid> Parse(string text)
    {
        var root = ReferenceJson.Root(File, text);
        var type = new JsonEntry(File, ReferenceJson.WholeFile, root).Text("type");
        if (type != "FeatureCollection")
            throw new ReferenceDataException(File, ReferenceJson.WholeFile, $"'type' must be \"FeatureCollection\" (it is \"{type}\")");
        var features = ReferenceJson.List(root, File, "features", "features");

        var grids = new List<Grid>(features.Count);
        var codes = new HashSet<string>(StringComparer.Ordinal);
        var streetNames = new Dictionary<string, (string Name, string Grid)>(StringComparer.Ordinal);
        var communityNames = new Dictionary<string, (string Name, string Grid)>(StringComparer.Ordinal);
        for (var i = 0; i < features.Count; i++)
        {
            var feature = new JsonEntry(File, $"features[{i}]", features[i]);
            var featureType = feature.Text("type");
            if (featureType != "Feature") throw feature.Error($"'type' must be \"Feature\" (it is \"{featureType}\")");
            var properties = feature.Object("properties");

            var code = properties.Text("code");
            feature.Rename($"grid {code}");
            properties.Rename(feature.Entry);
            if (code.Length != 15 || !code.All(char.IsAsciiDigit))
                throw feature.Error("the code must be 15 digits (division 6, street 3, community 3, grid 3)");
            if (!codes.Add(code)) throw feature.Error("the code is used twice");

            var streetCode = properties.Text("streetCode");
            if (streetCode != code[..9])
                throw feature.Error($"streetCode '{streetCode}' must be the code's first 9 digits ('{code[..9]}')");
            var communityCode = properties.Text("communityCode");
            if (communityCode != code[..12])
                throw feature.Error($"communityCode '{communityCode}' must be the code's first 12 digits ('{code[..12]}')");
            var name = properties.Text("name");
            var streetName = SameName(streetNames, streetCode, properties.Text("streetName"), code, feature, "street");
            var communityName = SameName(communityNames, communityCode, properties.Text("communityName"), code, feature, "community");

            var polygon = ReadPolygon(feature);
            grids.Add(new Grid(code, name, streetCode, streetName, communityCode, communityName, polygon));
        }

        AssertTiling(grids);
        return grids;
    }

    /// <summary>All grids of one street (or community) carry the same name for it.</summary>
    private static string SameName(Dictionary<string, (string Name, string Grid)> names, string code, string name,
        string grid, JsonEntry feature, string what)
    {
        if (names.TryGetValue(code, out var first) && first.Name != name)
            throw feature.Error($"{what} {code} is named '{name}' here but '{first.Name}' in grid {first.Grid}");
        names.TryAdd(code, (name, grid));
        return name;
    }

    private static Polygon ReadPolygon(JsonEntry feature)
    {
        var geometry = feature.Object("geometry");
        var type = geometry.Text("type");
        if (type != "Polygon") throw feature.Error($"the geometry must be a Polygon (it is a {type})");
        if (geometry.Node["coordinates"] is not JsonArray { Count: > 0 } rings)
            throw feature.Error("the Polygon's 'coordinates' must be a list of rings, the exterior ring first");

        var linearRings = new LinearRing[rings.Count];
        for (var r = 0; r < rings.Count; r++)
        {
            var ringName = r == 0 ? "the exterior ring" : $"ring {r} (a hole)";
            if (rings[r] is not JsonArray positions)
                throw feature.Error($"{ringName} must be a list of positions");
            if (positions.Count < 4)
                throw feature.Error($"{ringName} has {positions.Count} positions; a closed ring needs at least 4 (the last repeating the first)");
            var coordinates = new Coordinate[positions.Count];
            for (var p = 0; p < positions.Count; p++)
                coordinates[p] = ReadPosition(positions[p], feature, $"{ringName}, position {p}");
            if (!coordinates[0].Equals2D(coordinates[^1]))
                throw feature.Error(
                    $"{ringName} is not closed: it starts at {Show(coordinates[0])} and ends at {Show(coordinates[^1])}");
            linearRings[r] = Factory.CreateLinearRing(coordinates);
        }

        var polygon = Factory.CreatePolygon(linearRings[0], linearRings[1..]);
        var validity = new IsValidOp(polygon);
        if (!validity.IsValid)
        {
            var error = validity.ValidationError;
            throw feature.Error($"the polygon is not valid: {error.Message}" + (error.Coordinate is { } at ? $" at {Show(at)}" : ""));
        }
        if (polygon.Area <= 0) throw feature.Error("the polygon has no area");
        return polygon;
    }

    private static Coordinate ReadPosition(JsonNode? node, JsonEntry feature, string where)
    {
        if (node is not JsonArray { Count: 2 or 3 } position
            || position.Take(2).Any(n => n is not JsonValue v || v.GetValueKind() != JsonValueKind.Number))
            throw feature.Error($"{where}: a position must be [longitude, latitude] in numbers (it is {ReferenceJson.Describe(node)})");
        var longitude = position[0]!.GetValue<double>();
        var latitude = position[1]!.GetValue<double>();
        if (longitude is < -180 or > 180 || latitude is < -90 or > 90)
            throw feature.Error($"{where}: ({longitude}, {latitude}) is not a WGS 84 longitude and latitude");
        return new Coordinate(longitude, latitude);
    }

    /// <summary>Grids tile one area: no two overlap, and together they leave no gap and no piece apart.</summary>
    private static void AssertTiling(IReadOnlyList<Grid> grids)
    {
        if (grids.Count == 0)
            throw new ReferenceDataException(File, ReferenceJson.WholeFile, "there are no grids: a district needs at least one");

        var index = new GridIndex(grids);
        foreach (var grid in grids.OrderBy(g => g.Code, StringComparer.Ordinal))
        foreach (var other in index.Candidates(grid.Polygon.EnvelopeInternal).OrderBy(g => g.Code, StringComparer.Ordinal))
        {
            if (string.CompareOrdinal(other.Code, grid.Code) <= 0) continue;
            var overlap = grid.Polygon.Intersection(other.Polygon);
            if (overlap.Area > Math.Min(grid.Polygon.Area, other.Polygon.Area) * OverlapTolerance)
                throw new ReferenceDataException(File, $"grid {grid.Code}",
                    $"it overlaps grid {other.Code} by about {SquareMetres(overlap):0.##} m²");
        }

        var union = CascadedPolygonUnion.Union(grids.Select(g => (Geometry)g.Polygon).ToList());
        if (union is MultiPolygon pieces)
        {
            // Name the grids of the smallest piece: that is usually the one misplaced.
            var smallest = Enumerable.Range(0, pieces.NumGeometries).Select(pieces.GetGeometryN).OrderBy(p => p.Area).First();
            var apart = grids.Where(g => smallest.Covers(g.Polygon.InteriorPoint)).Select(g => g.Code).Order(StringComparer.Ordinal).ToList();
            throw new ReferenceDataException(File, Entry(apart),
                $"the grids do not form one contiguous area: they make {pieces.NumGeometries} separate pieces, " +
                $"and {(apart.Count == 1 ? "this grid stands" : "these grids stand")} apart from the rest");
        }
        if (union is not Polygon whole)
            throw new ReferenceDataException(File, ReferenceJson.WholeFile, $"the grids' union is a {union.GeometryType}, not one area");
        if (whole.NumInteriorRings > 0)
        {
            var hole = Factory.CreatePolygon((LinearRing)whole.GetInteriorRingN(0));
            // The grids that share a stretch of the gap's edge (not those that only touch a corner of it).
            var around = index.Candidates(hole.EnvelopeInternal)
                .Where(g => g.Polygon.Intersects(hole) && g.Polygon.Intersection(hole.ExteriorRing).Length > 0)
                .Select(g => g.Code).Order(StringComparer.Ordinal).ToList();
            throw new ReferenceDataException(File, Entry(around),
                $"the grids leave a gap of about {SquareMetres(hole):0.##} m² around {Show(hole.InteriorPoint.Coordinate)}" +
                (whole.NumInteriorRings > 1 ? $" ({whole.NumInteriorRings} gaps in all)" : ""));
        }
    }

    private static string Entry(IReadOnlyList<string> codes) => codes.Count switch
    {
        0 => "(all grids)",
        1 => $"grid {codes[0]}",
        <= 8 => $"grids {string.Join(", ", codes)}",
        _ => $"grids {string.Join(", ", codes.Take(8))} and {codes.Count - 8} more",
    };

    /// <summary>An area in square degrees turned into square metres near its latitude (good enough for messages).</summary>
    private static double SquareMetres(Geometry geometry)
    {
        var latitude = geometry.IsEmpty ? 0 : geometry.Centroid.Y;
        return geometry.Area * 111_320 * Math.Cos(latitude * Math.PI / 180) * 110_574;
    }

    private static string Show(Coordinate c) => $"({c.X:0.0######}, {c.Y:0.0######})";
}

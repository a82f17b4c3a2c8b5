using System.Text.Json;
using System.Text.Json.Nodes;
using CityCase.Domain.Cases;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using NetTopologySuite.Operation.Union;

namespace CityCase.Domain.Reference;

/// <summary>
/// One city's reference data: unit grids, the category catalogue, departments and dispatch rules.
/// Parsed and validated from the texts of the four files (the caller reads them: no I/O here).
/// </summary>
public sealed class ReferenceData : ICaseRules
{
    public const string GridsFile = "grids.geojson";
    public const string CategoriesFile = "categories.json";
    public const string DepartmentsFile = "departments.json";
    public const string RulesFile = "dispatch-rules.json";

    private ReferenceData(IReadOnlyList<Grid> grids, IReadOnlyList<Category> categories,
        IReadOnlyList<Department> departments, IReadOnlyList<DispatchRule> rules)
    {
        Grids = grids;
        Categories = categories;
        Departments = departments;
        Rules = rules;
        GridsByCode = grids.ToDictionary(g => g.Code);
        CategoriesByCode = categories.ToDictionary(c => c.Code);
        DepartmentsByCode = departments.ToDictionary(d => d.Code);
        GridIndex = new GridIndex(grids);
    }

    public IReadOnlyList<Grid> Grids { get; }
    public IReadOnlyList<Category> Categories { get; }
    public IReadOnlyList<Department> Departments { get; }
    public IReadOnlyList<DispatchRule> Rules { get; }
    public IReadOnlyDictionary<string, Grid> GridsByCode { get; }
    public IReadOnlyDictionary<string, Category> CategoriesByCode { get; }
    public IReadOnlyDictionary<string, Department> DepartmentsByCode { get; }
    public GridIndex GridIndex { get; }

    public bool IsKnownCategory(string categoryCode) => CategoriesByCode.ContainsKey(categoryCode);
    public bool IsKnownDepartment(string departmentCode) => DepartmentsByCode.ContainsKey(departmentCode);

    /// <summary>A street rule beats a category rule, which beats the category's default department.</summary>
    public string? DepartmentFor(string categoryCode, string? streetCode) =>
        Rules.FirstOrDefault(r => r.CategoryCode == categoryCode && r.StreetCode is not null && r.StreetCode == streetCode)?.DepartmentCode
        ?? Rules.FirstOrDefault(r => r.CategoryCode == categoryCode && r.StreetCode is null)?.DepartmentCode
        ?? (CategoriesByCode.TryGetValue(categoryCode, out var category) ? category.DefaultDepartmentCode : null);

    /// <summary>Parses and validates the four files, given as file name → text.</summary>
    public static ReferenceData Parse(IReadOnlyDictionary<string, string> files)
    {
        string Text(string name) => files.TryGetValue(name, out var text)
            ? text
            : throw new ReferenceDataException(name, "(file)", "the file is missing");

        var departments = ParseDepartments(Text(DepartmentsFile));
        var departmentCodes = departments.Select(d => d.Code).ToHashSet();
        var categories = ParseCategories(Text(CategoriesFile), departmentCodes);
        var grids = ParseGrids(Text(GridsFile));
        var rules = ParseRules(Text(RulesFile), categories.Select(c => c.Code).ToHashSet(), departmentCodes,
            grids.Select(g => g.StreetCode).ToHashSet());
        return new ReferenceData(grids, categories, departments, rules);
    }

    private static List<Department> ParseDepartments(string text)
    {
        var list = Array(Root(DepartmentsFile, text), DepartmentsFile, "departments");
        var result = new List<Department>();
        for (var i = 0; i < list.Count; i++)
        {
            var entry = $"departments[{i}]";
            var item = Object(list[i], DepartmentsFile, entry);
            var code = String(item, "code", DepartmentsFile, entry);
            entry = $"department {code}";
            if (result.Any(d => d.Code == code)) throw new ReferenceDataException(DepartmentsFile, entry, "the code is used twice");
            result.Add(new Department(code, String(item, "name", DepartmentsFile, entry), OptionalString(item, "nameEn") ?? ""));
        }
        return result;
    }

    private static List<Category> ParseCategories(string text, IReadOnlySet<string> departments)
    {
        var list = Array(Root(CategoriesFile, text), CategoriesFile, "categories");
        var result = new List<Category>();
        for (var i = 0; i < list.Count; i++)
        {
            var entry = $"categories[{i}]";
            var item = Object(list[i], CategoriesFile, entry);
            var code = String(item, "code", CategoriesFile, entry);
            entry = $"category {code}";
            if (!CategoryCodes.IsWellFormed(code))
                throw new ReferenceDataException(CategoriesFile, entry, "the code must be 4 digits (major class, minor class)");
            if (result.Any(c => c.Code == code)) throw new ReferenceDataException(CategoriesFile, entry, "the code is used twice");
            var kind = Enum<CategoryKind>(String(item, "kind", CategoriesFile, entry), CategoriesFile, entry, "kind");
            var department = String(item, "defaultDepartmentCode", CategoriesFile, entry);
            if (!departments.Contains(department))
                throw new ReferenceDataException(CategoriesFile, entry, $"defaultDepartmentCode '{department}' is not in {DepartmentsFile}");
            var limits = Object(item["disposalLimit"], CategoriesFile, $"{entry} disposalLimit");
            var byUrgency = new Dictionary<Urgency, TimeLimit>();
            foreach (var urgency in System.Enum.GetValues<Urgency>())
            {
                var name = urgency.ToString().ToLowerInvariant();
                var limit = Object(limits[name], CategoriesFile, $"{entry} disposalLimit.{name}");
                var amount = limit["amount"] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0;
                if (amount <= 0)
                    throw new ReferenceDataException(CategoriesFile, $"{entry} disposalLimit.{name}", "amount must be a whole number above 0");
                byUrgency[urgency] = new TimeLimit(amount,
                    Enum<TimeLimitUnit>(String(limit, "unit", CategoriesFile, entry), CategoriesFile, $"{entry} disposalLimit.{name}", "unit"));
            }
            result.Add(new Category(code, String(item, "name", CategoriesFile, entry), OptionalString(item, "nameEn") ?? "",
                kind, String(item, "majorName", CategoriesFile, entry), department, byUrgency,
                OptionalString(item, "filingCondition") ?? "", OptionalString(item, "closingCondition") ?? ""));
        }
        return result;
    }

    private static List<Grid> ParseGrids(string text)
    {
        FeatureCollection features;
        try
        {
            var options = new JsonSerializerOptions { Converters = { new GeoJsonConverterFactory() } };
            features = JsonSerializer.Deserialize<FeatureCollection>(text, options)
                       ?? throw new ReferenceDataException(GridsFile, "(file)", "the file is empty");
        }
        catch (JsonException e)
        {
            throw new ReferenceDataException(GridsFile, "(file)", $"not a GeoJSON FeatureCollection: {e.Message}");
        }

        var grids = new List<Grid>();
        for (var i = 0; i < features.Count; i++)
        {
            var feature = features[i];
            var entry = $"features[{i}]";
            string Attribute(string name) =>
                feature.Attributes?.Exists(name) == true && feature.Attributes[name] is string { Length: > 0 } s
                    ? s
                    : throw new ReferenceDataException(GridsFile, entry, $"property '{name}' is missing");
            var code = Attribute("code");
            entry = $"grid {code}";
            var street = Attribute("streetCode");
            var community = Attribute("communityCode");
            if (code.Length != 15 || !code.All(char.IsAsciiDigit))
                throw new ReferenceDataException(GridsFile, entry, "the code must be 15 digits (division 6, street 3, community 3, grid 3)");
            if (street != code[..9] || community != code[..12])
                throw new ReferenceDataException(GridsFile, entry,
                    $"streetCode '{street}' and communityCode '{community}' must be the first 9 and 12 digits of the code");
            if (grids.Any(g => g.Code == code)) throw new ReferenceDataException(GridsFile, entry, "the code is used twice");
            if (feature.Geometry is not Polygon polygon)
                throw new ReferenceDataException(GridsFile, entry, $"the geometry must be a Polygon (was {feature.Geometry?.GeometryType ?? "none"})");
            if (!polygon.IsValid || polygon.Area <= 0)
                throw new ReferenceDataException(GridsFile, entry, "the polygon is not valid (self-intersecting, unclosed or empty)");
            grids.Add(new Grid(code, Attribute("name"), street, Attribute("streetName"), community, Attribute("communityName"), polygon));
        }

        AssertTiling(grids);
        return grids;
    }

    /// <summary>Grids tile one area: no two overlap, and together they leave no gap.</summary>
    private static void AssertTiling(IReadOnlyList<Grid> grids)
    {
        if (grids.Count == 0) throw new ReferenceDataException(GridsFile, "(file)", "there are no grids");
        var index = new GridIndex(grids);
        foreach (var grid in grids)
        foreach (var other in index.Candidates(grid.Polygon.EnvelopeInternal))
        {
            if (string.CompareOrdinal(other.Code, grid.Code) <= 0) continue;
            var overlap = grid.Polygon.Intersection(other.Polygon).Area;
            if (overlap > grid.Polygon.Area * 1e-9)
                throw new ReferenceDataException(GridsFile, $"grid {grid.Code}", $"it overlaps grid {other.Code}");
        }
        var union = CascadedPolygonUnion.Union(grids.Select(g => (Geometry)g.Polygon).ToList());
        if (union is not Polygon whole)
            throw new ReferenceDataException(GridsFile, "(all grids)",
                $"the grids do not form one contiguous area (they make {union.NumGeometries} separate pieces)");
        if (whole.NumInteriorRings > 0)
        {
            var hole = whole.GetInteriorRingN(0).Centroid;
            throw new ReferenceDataException(GridsFile, "(all grids)",
                $"the grids leave a gap around ({hole.X:F6}, {hole.Y:F6})");
        }
    }

    private static List<DispatchRule> ParseRules(string text, IReadOnlySet<string> categories,
        IReadOnlySet<string> departments, IReadOnlySet<string> streets)
    {
        var list = Array(Root(RulesFile, text), RulesFile, "rules");
        var result = new List<DispatchRule>();
        for (var i = 0; i < list.Count; i++)
        {
            var entry = $"rules[{i}]";
            var item = Object(list[i], RulesFile, entry);
            var category = String(item, "categoryCode", RulesFile, entry);
            var street = OptionalString(item, "streetCode");
            var department = String(item, "departmentCode", RulesFile, entry);
            if (!categories.Contains(category))
                throw new ReferenceDataException(RulesFile, entry, $"categoryCode '{category}' is not in {CategoriesFile}");
            if (street is not null && !streets.Contains(street))
                throw new ReferenceDataException(RulesFile, entry, $"streetCode '{street}' is not a street of any grid in {GridsFile}");
            if (!departments.Contains(department))
                throw new ReferenceDataException(RulesFile, entry, $"departmentCode '{department}' is not in {DepartmentsFile}");
            if (result.Any(r => r.CategoryCode == category && r.StreetCode == street))
                throw new ReferenceDataException(RulesFile, entry, "another rule already covers this category and street");
            result.Add(new DispatchRule(category, street, department));
        }
        return result;
    }

    private static JsonObject Root(string file, string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new ReferenceDataException(file, "(file)", "the file must hold a JSON object");
        }
        catch (JsonException e)
        {
            throw new ReferenceDataException(file, "(file)", $"not valid JSON: {e.Message}");
        }
    }

    private static JsonArray Array(JsonObject root, string file, string name) =>
        root[name] as JsonArray ?? throw new ReferenceDataException(file, "(file)", $"the list '{name}' is missing");

    private static JsonObject Object(JsonNode? node, string file, string entry) =>
        node as JsonObject ?? throw new ReferenceDataException(file, entry, "must be an object");

    private static string String(JsonObject item, string name, string file, string entry) =>
        OptionalString(item, name) ?? throw new ReferenceDataException(file, entry, $"'{name}' is missing or empty");

    private static string? OptionalString(JsonObject item, string name) =>
        item[name] is JsonValue value && value.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;

    private static T Enum<T>(string value, string file, string entry, string field) where T : struct, System.Enum =>
        System.Enum.TryParse<T>(value.Replace("_", ""), ignoreCase: true, out var parsed) && System.Enum.IsDefined(parsed)
            ? parsed
            : throw new ReferenceDataException(file, entry,
                $"{field} '{value}' is not one of {string.Join(", ", System.Enum.GetNames<T>().Select(Naming.ScreamingSnake))}");
}

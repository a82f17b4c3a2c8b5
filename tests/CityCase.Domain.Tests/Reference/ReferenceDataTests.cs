using CityCase.Domain.Reference;

namespace CityCase.Domain.Tests.Reference;

public sealed class ReferenceDataTests
{
    private static readonly string Folder = FindSampleFolder();

    private static string FindSampleFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CityCase.sln"))) return Path.Combine(dir.FullName, "samples", "reference");
        throw new InvalidOperationException("CityCase.sln not found");
    }

    private static Dictionary<string, string> SampleFiles() =>
        new[] { ReferenceData.GridsFile, ReferenceData.CategoriesFile, ReferenceData.DepartmentsFile, ReferenceData.RulesFile }
            .ToDictionary(f => f, f => File.ReadAllText(Path.Combine(Folder, f)));

    private static readonly ReferenceData Sample = ReferenceData.Parse(SampleFiles());

    [Fact]
    public void The_sample_district_meets_the_minimums()
    {
        Assert.True(Sample.Grids.Count >= 100);
        Assert.True(Sample.Grids.Select(g => g.StreetCode).Distinct().Count() >= 3);
        Assert.True(Sample.Grids.Select(g => g.CommunityCode).Distinct().Count() >= 9);
        Assert.True(Sample.Categories.Count >= 30);
        Assert.True(Sample.Departments.Count >= 8);
        string[] majors = ["公用设施", "道路交通", "市容环境", "园林绿化", "房屋土地", "其他"];
        Assert.All(majors, m => Assert.Contains(Sample.Categories, c => c.Kind == CategoryKind.Component && c.MajorName == m));
        string[] eventMajors = ["市容环境", "宣传广告", "施工管理", "街面秩序", "突发事件"];
        Assert.All(eventMajors, m => Assert.Contains(Sample.Categories, c => c.Kind == CategoryKind.Event && c.MajorName == m));
        Assert.Contains(Sample.Categories, c => c.DisposalLimits.Values.Any(l => l.Unit == TimeLimitUnit.NaturalHours));
        Assert.Contains(Sample.Categories, c => c.DisposalLimits.Values.Any(l => l.Unit == TimeLimitUnit.WorkingDays));
        Assert.Contains(Sample.Categories, c => c.DisposalLimits.Values.Any(l => l.Unit == TimeLimitUnit.WorkingHours));
    }

    [Fact]
    public void The_sample_grids_tile_one_area_without_gaps_or_overlaps()
    {
        var union = NetTopologySuite.Operation.Union.CascadedPolygonUnion.Union(
            Sample.Grids.Select(g => (NetTopologySuite.Geometries.Geometry)g.Polygon).ToList());
        var polygon = Assert.IsType<NetTopologySuite.Geometries.Polygon>(union);
        Assert.Equal(0, polygon.NumInteriorRings);
        Assert.Equal(Sample.Grids.Sum(g => g.Polygon.Area), union.Area, 12);
    }

    [Fact]
    public void Every_grid_is_found_at_its_centroid() =>
        Assert.All(Sample.Grids, g => Assert.Equal(g.Code, Sample.GridIndex.GridAt(g.Centroid.X, g.Centroid.Y)?.Code));

    [Theory]
    [InlineData(121.46, 31.23)]
    [InlineData(121.50, 31.235)]
    [InlineData(0, 0)]
    public void Outside_the_district_there_is_no_grid(double longitude, double latitude) =>
        Assert.Null(Sample.GridIndex.GridAt(longitude, latitude));

    [Fact]
    public void A_point_on_a_shared_edge_or_corner_belongs_to_the_lowest_code()
    {
        var first = Sample.GridsByCode["310101001001001"];
        var corner = first.Polygon.ExteriorRing.Coordinates.OrderByDescending(c => c.X).ThenBy(c => c.Y).First();
        var owners = Sample.Grids.Where(g => g.Polygon.Covers(new NetTopologySuite.Geometries.Point(corner))).Select(g => g.Code).ToList();
        Assert.True(owners.Count >= 2);
        Assert.Equal(owners.Min(StringComparer.Ordinal), Sample.GridIndex.GridAt(corner.X, corner.Y)!.Code);
    }

    [Fact]
    public void Dispatch_rules_go_street_then_category_then_default()
    {
        Assert.Equal("D07", Sample.DepartmentFor("0201", "310101003")); // street rule
        Assert.Equal("D02", Sample.DepartmentFor("0201", "310101001")); // category rule
        Assert.Equal("D03", Sample.DepartmentFor("0105", "310101001")); // the category's default
        Assert.Null(Sample.DepartmentFor("9999", null));
    }

    [Theory]
    [InlineData(ReferenceData.GridsFile, "\"code\": \"310101001001001\"", "\"code\": \"31010100100100\"", "grid 31010100100100", "15 digits")]
    [InlineData(ReferenceData.GridsFile, "\"streetCode\": \"310101001\"", "\"streetCode\": \"310101009\"", "grid 310101001001001", "first 9")]
    [InlineData(ReferenceData.GridsFile, "\"code\": \"310101001001002\"", "\"code\": \"310101001001001\"", "grid 310101001001001", "used twice")]
    [InlineData(ReferenceData.GridsFile, "\"type\": \"FeatureCollection\"", "\"type\": \"Feature Collection\"", "(file)", "")]
    [InlineData(ReferenceData.CategoriesFile, "\"code\": \"0101\"", "\"code\": \"101\"", "category 101", "4 digits")]
    [InlineData(ReferenceData.CategoriesFile, "\"kind\": \"COMPONENT\"", "\"kind\": \"THING\"", "category 0101", "kind 'THING'")]
    [InlineData(ReferenceData.CategoriesFile, "\"unit\": \"WORKING_DAYS\"", "\"unit\": \"FORTNIGHTS\"", "category 0101 disposalLimit.normal", "unit 'FORTNIGHTS'")]
    [InlineData(ReferenceData.CategoriesFile, "\"amount\": 1,", "\"amount\": 0,", "category 0101 disposalLimit.normal", "above 0")]
    [InlineData(ReferenceData.CategoriesFile, "\"defaultDepartmentCode\": \"D05\"", "\"defaultDepartmentCode\": \"D99\"", "category 0101", "D99")]
    [InlineData(ReferenceData.CategoriesFile, "\"categories\"", "\"kategorien\"", "(file)", "'categories' is missing")]
    [InlineData(ReferenceData.DepartmentsFile, "\"code\": \"D02\"", "\"code\": \"D01\"", "department D01", "used twice")]
    [InlineData(ReferenceData.RulesFile, "\"departmentCode\": \"D02\"", "\"departmentCode\": \"D42\"", "rules[0]", "D42")]
    [InlineData(ReferenceData.RulesFile, "\"streetCode\": \"310101003\"", "\"streetCode\": \"310101777\"", "rules[1]", "310101777")]
    [InlineData(ReferenceData.RulesFile, "{", "{ oops", "(file)", "not valid JSON")]
    public void A_bad_file_fails_naming_the_file_the_entry_and_the_problem(string file, string find, string replace,
        string entry, string problem)
    {
        var files = SampleFiles();
        var index = files[file].IndexOf(find, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{find}' not in {file}");
        files[file] = files[file][..index] + replace + files[file][(index + find.Length)..];

        var error = Assert.Throws<ReferenceDataException>(() => ReferenceData.Parse(files));

        Assert.Equal(file, error.File);
        Assert.Equal(entry, error.Entry);
        Assert.Contains(problem, error.Problem);
        Assert.StartsWith(file, error.Message);
    }

    [Fact]
    public void Overlapping_grids_are_refused() =>
        AssertGridsRefused(MoveFeature("310101001001001", dx: 0.0005, dy: 0), "overlaps");

    [Fact]
    public void A_missing_grid_leaves_a_gap_and_is_refused() =>
        AssertGridsRefused(RemoveFeature("310101002002006"), "gap");

    [Fact]
    public void A_grid_apart_from_the_rest_is_refused() =>
        AssertGridsRefused(MoveFeature("310101003003012", dx: 0.01, dy: 0), "separate pieces");

    private static void AssertGridsRefused(Func<string, string> alter, string problem)
    {
        var files = SampleFiles();
        files[ReferenceData.GridsFile] = alter(files[ReferenceData.GridsFile]);
        var error = Assert.Throws<ReferenceDataException>(() => ReferenceData.Parse(files));
        Assert.Equal(ReferenceData.GridsFile, error.File);
        Assert.Contains(problem, error.Problem);
    }

    private static Func<string, string> MoveFeature(string code, double dx, double dy) => text =>
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(text)!;
        var feature = root["features"]!.AsArray().First(f => f!["properties"]!["code"]!.GetValue<string>() == code)!;
        foreach (var point in feature["geometry"]!["coordinates"]![0]!.AsArray())
        {
            point![0] = point[0]!.GetValue<double>() + dx;
            point[1] = point[1]!.GetValue<double>() + dy;
        }
        return root.ToJsonString();
    };

    private static Func<string, string> RemoveFeature(string code) => text =>
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(text)!;
        var features = root["features"]!.AsArray();
        features.Remove(features.First(f => f!["properties"]!["code"]!.GetValue<string>() == code));
        return root.ToJsonString();
    };
}

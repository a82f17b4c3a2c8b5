using CityCase.Domain.Time;
using CityCase.Domain.Cases;
using CityCase.Domain.Reference;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Union;

namespace CityCase.Domain.Tests.Reference;

/// <summary>The shipped sample district (samples/reference) loads, meets the minimums and tiles its area.</summary>
public sealed class SampleDistrictTests
{
    private static readonly ReferenceData Sample = ReferenceSample.Data;

    [Fact]
    public void The_sample_meets_the_minimums()
    {
        Assert.True(Sample.Grids.Count >= 100, $"{Sample.Grids.Count} grids");
        Assert.True(Sample.Grids.Select(g => g.StreetCode).Distinct().Count() >= 3);
        Assert.True(Sample.Grids.Select(g => g.CommunityCode).Distinct().Count() >= 9);
        Assert.True(Sample.Categories.Count >= 30, $"{Sample.Categories.Count} minor classes");
        Assert.True(Sample.Departments.Count >= 8, $"{Sample.Departments.Count} departments");
        Assert.NotEmpty(Sample.Rules);
    }

    [Fact]
    public void Every_street_has_three_communities_and_every_grid_belongs_to_one_division()
    {
        Assert.All(Sample.Grids.GroupBy(g => g.StreetCode),
            street => Assert.Equal(3, street.Select(g => g.CommunityCode).Distinct().Count()));
        Assert.Single(Sample.Grids.Select(g => g.Code[..6]).Distinct());
        Assert.Equal("310101", Sample.Grids[0].Code[..6]);
    }

    [Theory]
    [InlineData(CategoryKind.Component, "01", "公用设施")]
    [InlineData(CategoryKind.Component, "02", "道路交通")]
    [InlineData(CategoryKind.Component, "03", "市容环境")]
    [InlineData(CategoryKind.Component, "04", "园林绿化")]
    [InlineData(CategoryKind.Component, "05", "房屋土地")]
    [InlineData(CategoryKind.Component, "06", "其他")]
    [InlineData(CategoryKind.Event, "11", "市容环境")]
    [InlineData(CategoryKind.Event, "12", "宣传广告")]
    [InlineData(CategoryKind.Event, "13", "施工管理")]
    [InlineData(CategoryKind.Event, "14", "街面秩序")]
    [InlineData(CategoryKind.Event, "15", "突发事件")]
    public void Every_major_class_has_minor_classes(CategoryKind kind, string major, string name)
    {
        var minors = Sample.Categories.Where(c => c.MajorCode == major).ToList();
        Assert.NotEmpty(minors);
        Assert.All(minors, c => Assert.Equal((kind, name), (c.Kind, c.MajorName)));
    }

    [Fact]
    public void Components_use_majors_01_to_06_and_events_11_to_15()
    {
        string[] components = ["01", "02", "03", "04", "05", "06"], events = ["11", "12", "13", "14", "15"];
        Assert.All(Sample.Categories, c => Assert.Contains(c.MajorCode, c.Kind == CategoryKind.Component ? components : events));
    }

    [Fact]
    public void Every_minor_class_is_fully_described()
    {
        Assert.All(Sample.Categories, c =>
        {
            Assert.False(string.IsNullOrWhiteSpace(c.NameEn), c.Code);
            Assert.False(string.IsNullOrWhiteSpace(c.FilingCondition), c.Code);
            Assert.False(string.IsNullOrWhiteSpace(c.ClosingCondition), c.Code);
            Assert.Equal(2, c.DisposalLimits.Count);
            Assert.Contains(c.DefaultDepartmentCode, Sample.DepartmentsByCode.Keys);
        });
        Assert.All(Sample.Departments, d => Assert.False(string.IsNullOrWhiteSpace(d.NameEn), d.Code));
        foreach (var unit in Enum.GetValues<LimitUnit>())
            Assert.Contains(Sample.Categories, c => c.DisposalLimits.Values.Any(l => l.Unit == unit));
    }

    [Theory]
    [InlineData("1101", "道路不洁", 5, LimitUnit.WorkingHours)]
    [InlineData("1102", "暴露垃圾", 1, LimitUnit.WorkingDays)]
    [InlineData("1301", "违法建设", 15, LimitUnit.WorkingDays)]
    [InlineData("0106", "连续三盏以上路灯不亮", 1, LimitUnit.WorkingDays)]
    [InlineData("0102", "污水井盖", 2, LimitUnit.NaturalHours)]
    public void The_published_examples_are_the_normal_limits(string code, string name, int amount, LimitUnit unit)
    {
        var category = Sample.CategoriesByCode[code];
        Assert.Equal(name, category.Name);
        Assert.Equal(new Limit(amount, unit), category.DisposalLimit(Urgency.Normal));
    }

    [Fact]
    public void The_grids_tile_one_area_without_gaps_or_overlaps()
    {
        var union = CascadedPolygonUnion.Union(Sample.Grids.Select(g => (Geometry)g.Polygon).ToList());
        var whole = Assert.IsType<Polygon>(union);
        Assert.Equal(0, whole.NumInteriorRings);
        var sum = Sample.Grids.Sum(g => g.Polygon.Area);
        Assert.True(Math.Abs(union.Area - sum) <= sum * 1e-9, $"union {union.Area} vs sum {sum}");
        // The lattice's union is its bounding rectangle.
        Assert.Equal(whole.EnvelopeInternal.Area, union.Area, 12);
        foreach (var grid in Sample.Grids)
        foreach (var other in Sample.GridIndex.Candidates(grid.Polygon.EnvelopeInternal).Where(o => o.Code != grid.Code))
            Assert.Equal(0, grid.Polygon.Intersection(other.Polygon).Area, 15);
    }

    [Fact]
    public void Every_street_and_community_is_one_piece()
    {
        foreach (var area in Sample.Grids.GroupBy(g => g.StreetCode).Concat(Sample.Grids.GroupBy(g => g.CommunityCode)))
        {
            var union = CascadedPolygonUnion.Union(area.Select(g => (Geometry)g.Polygon).ToList());
            var polygon = Assert.IsType<Polygon>(union);
            Assert.Equal(0, polygon.NumInteriorRings);
        }
    }

    [Fact]
    public void Every_grid_is_about_a_hundred_metres_square()
    {
        Assert.All(Sample.Grids, g =>
        {
            var metres = g.Polygon.Area * 111_320 * Math.Cos(g.Centroid.Latitude * Math.PI / 180) * 110_574;
            Assert.InRange(metres, 8_000, 12_000);
        });
    }

    [Fact]
    public void Grids_are_numbered_west_to_east_then_north_to_south_within_their_community()
    {
        foreach (var community in Sample.Grids.GroupBy(g => g.CommunityCode))
        {
            var bySequence = community.OrderBy(g => g.Code, StringComparer.Ordinal).Select(g => g.Code).ToList();
            var byPlace = community
                .OrderByDescending(g => Math.Round(g.Polygon.EnvelopeInternal.MaxY, 7))
                .ThenBy(g => Math.Round(g.Polygon.EnvelopeInternal.MinX, 7))
                .Select(g => g.Code).ToList();
            Assert.Equal(byPlace, bySequence);
            Assert.Equal(Enumerable.Range(1, bySequence.Count).Select(i => i.ToString("000")), bySequence.Select(c => c[12..]));
        }
    }

    [Fact]
    public void The_file_follows_rfc_7946_closed_counter_clockwise_rings_and_coordinates_of_at_most_7_decimals()
    {
        var features = ReferenceSample.Features(ReferenceSample.Json(ReferenceData.GridsFile));
        Assert.Equal(Sample.Grids.Count, features.Count);
        foreach (var feature in features)
        {
            var code = (string)feature!["properties"]!["code"]!;
            Assert.Equal("Polygon", (string?)feature["geometry"]!["type"]);
            var ring = ReferenceSample.Ring(feature.AsObject()).Select(p => (X: (double)p![0]!, Y: (double)p[1]!)).ToList();
            Assert.Equal(ring[0], ring[^1]);
            var signedArea = 0.0;
            for (var i = 0; i < ring.Count - 1; i++) signedArea += ring[i].X * ring[i + 1].Y - ring[i + 1].X * ring[i].Y;
            Assert.True(signedArea > 0, $"{code}: the exterior ring runs clockwise");
            Assert.All(ring, p => Assert.Equal((Math.Round(p.X, 7), Math.Round(p.Y, 7)), p));
        }
    }

    [Fact]
    public void The_district_lies_in_huangpu()
    {
        var envelope = new Envelope();
        foreach (var grid in Sample.Grids) envelope.ExpandToInclude(grid.Polygon.EnvelopeInternal);
        Assert.InRange(envelope.MinX, 121.46, 121.50);
        Assert.InRange(envelope.MaxX, 121.46, 121.50);
        Assert.InRange(envelope.MinY, 31.21, 31.25);
        Assert.InRange(envelope.MaxY, 31.21, 31.25);
    }

    [Fact]
    public void The_readme_documents_the_major_class_scheme()
    {
        var readme = File.ReadAllText(Path.Combine(ReferenceSample.Folder, "README.md"));
        Assert.Contains("11-15", readme);
        Assert.Contains("01-06", readme);
    }
}

using CityCase.Domain.Reference;
using NetTopologySuite.Geometries;

namespace CityCase.Domain.Tests.Reference;

/// <summary>gridAt: the STR-tree index answers which grid covers a point.</summary>
public sealed class GridIndexTests
{
    private static readonly ReferenceData Sample = ReferenceSample.Data;
    private static readonly Envelope District = DistrictEnvelope();

    private static Envelope DistrictEnvelope()
    {
        var envelope = new Envelope();
        foreach (var grid in Sample.Grids) envelope.ExpandToInclude(grid.Polygon.EnvelopeInternal);
        return envelope;
    }

    /// <summary>The answer by brute force: the lowest code among all grids that cover the point.</summary>
    private static string? Expected(double longitude, double latitude)
    {
        var point = new Point(longitude, latitude);
        return Sample.Grids.Where(g => g.Polygon.Covers(point)).Select(g => g.Code).Order(StringComparer.Ordinal).FirstOrDefault();
    }

    [Fact]
    public void Every_grid_is_found_at_its_centroid() =>
        Assert.All(Sample.Grids, g => Assert.Equal(g.Code, Sample.GridAt(g.Centroid.Longitude, g.Centroid.Latitude)?.Code));

    [Fact]
    public void Every_grid_is_found_just_inside_each_of_its_corners()
    {
        const double inside = 1e-7;
        Assert.All(Sample.Grids, g =>
        {
            var e = g.Polygon.EnvelopeInternal;
            Assert.Equal(g.Code, Sample.GridAt(e.MinX + inside, e.MinY + inside)?.Code);
            Assert.Equal(g.Code, Sample.GridAt(e.MaxX - inside, e.MinY + inside)?.Code);
            Assert.Equal(g.Code, Sample.GridAt(e.MaxX - inside, e.MaxY - inside)?.Code);
            Assert.Equal(g.Code, Sample.GridAt(e.MinX + inside, e.MaxY - inside)?.Code);
        });
    }

    [Fact]
    public void The_centroid_is_the_middle_of_the_grid()
    {
        var grid = Sample.GridsByCode["310101001001001"];
        var e = grid.Polygon.EnvelopeInternal;
        Assert.Equal((e.MinX + e.MaxX) / 2, grid.Centroid.Longitude, 9);
        Assert.Equal((e.MinY + e.MaxY) / 2, grid.Centroid.Latitude, 9);
        Assert.Equal((grid.Centroid.Longitude, grid.Centroid.Latitude), (grid.Centroid.X, grid.Centroid.Y));
    }

    [Fact]
    public void Outside_the_district_there_is_no_grid()
    {
        const double beyond = 1e-6;
        var middleX = (District.MinX + District.MaxX) / 2;
        var middleY = (District.MinY + District.MaxY) / 2;
        Assert.Null(Sample.GridAt(District.MinX - beyond, middleY)); // west
        Assert.Null(Sample.GridAt(District.MaxX + beyond, middleY)); // east
        Assert.Null(Sample.GridAt(middleX, District.MaxY + beyond)); // north
        Assert.Null(Sample.GridAt(middleX, District.MinY - beyond)); // south
        Assert.Null(Sample.GridAt(District.MaxX + beyond, District.MaxY + beyond));
        Assert.Null(Sample.GridAt(0, 0));
        Assert.Null(Sample.GridAt(116.397, 39.909)); // Beijing
        Assert.Null(Sample.GridAt(-121.47, -31.23));
    }

    [Theory]
    [InlineData(double.NaN, 31.233)]
    [InlineData(121.475, double.NaN)]
    [InlineData(double.PositiveInfinity, 31.233)]
    [InlineData(121.475, double.NegativeInfinity)]
    public void A_coordinate_that_is_not_a_number_has_no_grid(double longitude, double latitude) =>
        Assert.Null(Sample.GridAt(longitude, latitude));

    [Theory]
    [InlineData("310101001001001", "310101001001002")] // west | east, inside one community
    [InlineData("310101001001001", "310101001001005")] // north / south, inside one community
    [InlineData("310101001001004", "310101002001001")] // across a street boundary
    [InlineData("310101002001010", "310101002002002")] // across a community boundary
    public void A_point_on_a_shared_edge_belongs_to_the_lower_code(string lower, string higher)
    {
        var edge = Sample.GridsByCode[lower].Polygon.Intersection(Sample.GridsByCode[higher].Polygon);
        Assert.True(edge.Length > 0, "the two grids share an edge");
        // The edges are axis-aligned, so the mean of its two ends lies exactly on it (a centroid might drift off by 1 ulp).
        var ends = edge.Coordinates;
        var middle = new Point((ends[0].X + ends[^1].X) / 2, (ends[0].Y + ends[^1].Y) / 2);
        Assert.True(Sample.GridsByCode[lower].Polygon.Covers(middle));
        Assert.True(Sample.GridsByCode[higher].Polygon.Covers(middle));
        Assert.Equal(lower, Sample.GridAt(middle.X, middle.Y)?.Code);
        Assert.Equal(lower, Expected(middle.X, middle.Y));
    }

    [Fact]
    public void A_corner_shared_by_four_grids_belongs_to_the_lowest_code()
    {
        // The south-east corner of 310101001001006 is shared with 007, 010 and 011.
        var corner = Sample.GridsByCode["310101001001006"].Polygon.EnvelopeInternal;
        var point = new Point(corner.MaxX, corner.MinY);
        var owners = Sample.Grids.Where(g => g.Polygon.Covers(point)).Select(g => g.Code).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["310101001001006", "310101001001007", "310101001001010", "310101001001011"], owners);
        Assert.Equal("310101001001006", Sample.GridAt(point.X, point.Y)?.Code);
    }

    [Fact]
    public void A_corner_where_streets_and_communities_meet_belongs_to_the_lowest_code()
    {
        // Where streets 001 and 002 and communities 1 and 2 of each meet.
        var corner = Sample.GridsByCode["310101001001012"].Polygon.EnvelopeInternal;
        Assert.Equal("310101001001012", Sample.GridAt(corner.MaxX, corner.MinY)?.Code);
        Assert.Equal(4, Sample.Grids.Count(g => g.Polygon.Covers(new Point(corner.MaxX, corner.MinY))));
    }

    [Fact]
    public void A_point_on_the_district_boundary_belongs_to_the_grid_there()
    {
        var first = Sample.GridsByCode["310101001001001"].Polygon.EnvelopeInternal; // the north-west corner grid
        Assert.Equal("310101001001001", Sample.GridAt(first.MinX, first.MaxY)?.Code);
        Assert.Equal("310101001001001", Sample.GridAt(first.MinX, (first.MinY + first.MaxY) / 2)?.Code);
        var last = Sample.GridsByCode["310101003003012"].Polygon.EnvelopeInternal; // the south-east corner grid
        Assert.Equal("310101003003012", Sample.GridAt(last.MaxX, last.MinY)?.Code);
    }

    [Fact]
    public void The_index_agrees_with_brute_force_on_random_points_and_lattice_vertices()
    {
        var random = new Random(20261124);
        var points = new List<(double X, double Y)>();
        for (var i = 0; i < 3000; i++)
            points.Add((District.MinX - 0.001 + random.NextDouble() * (District.Width + 0.002),
                District.MinY - 0.001 + random.NextDouble() * (District.Height + 0.002)));
        // Every vertex and edge midpoint of the lattice: the points where ties are broken.
        foreach (var grid in Sample.Grids)
        {
            var e = grid.Polygon.EnvelopeInternal;
            points.Add((e.MinX, e.MinY));
            points.Add((e.MaxX, e.MaxY));
            points.Add(((e.MinX + e.MaxX) / 2, e.MinY));
            points.Add((e.MaxX, (e.MinY + e.MaxY) / 2));
        }
        Assert.All(points, p => Assert.Equal(Expected(p.X, p.Y), Sample.GridAt(p.X, p.Y)?.Code));
        Assert.Contains(points, p => Sample.GridAt(p.X, p.Y) is null);
    }

    [Fact]
    public void The_answer_does_not_depend_on_the_order_grids_were_indexed_in()
    {
        var shuffled = Sample.Grids.OrderBy(_ => Random.Shared.Next()).ToList();
        var reversed = new GridIndex(Sample.Grids.Reverse());
        var random = new GridIndex(shuffled);
        Assert.Equal(Sample.Grids.Count, random.Count);
        foreach (var grid in Sample.Grids)
        {
            var e = grid.Polygon.EnvelopeInternal;
            foreach (var (x, y) in new[] { (e.MinX, e.MinY), (e.MaxX, e.MaxY), (e.Centre.X, e.Centre.Y), (e.MinX, e.Centre.Y) })
            {
                var expected = Sample.GridAt(x, y)?.Code;
                Assert.Equal(expected, reversed.GridAt(x, y)?.Code);
                Assert.Equal(expected, random.GridAt(x, y)?.Code);
            }
        }
    }

    [Fact]
    public void An_empty_index_finds_nothing()
    {
        var empty = new GridIndex([]);
        Assert.Equal(0, empty.Count);
        Assert.Null(empty.GridAt(121.475, 31.233));
        Assert.Empty(empty.Candidates(new Envelope(121, 122, 31, 32)));
    }
}

using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;

namespace CityCase.Domain.Reference;

/// <summary>
/// Which unit grid a point falls in. Built once: an STR-tree of the grids' envelopes narrows a lookup to the few
/// grids whose envelope holds the point (O(log n)), and a prepared polygon of each decides.
/// </summary>
public sealed class GridIndex
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);
    private readonly STRtree<Entry> _tree = new();

    public GridIndex(IEnumerable<Grid> grids)
    {
        foreach (var grid in grids)
        {
            _tree.Insert(grid.Polygon.EnvelopeInternal, new Entry(grid, PreparedGeometryFactory.Prepare(grid.Polygon)));
            Count++;
        }
        _tree.Build();
    }

    /// <summary>How many grids the index holds.</summary>
    public int Count { get; }

    /// <summary>
    /// The grid covering the WGS 84 point, or null outside the district (or for a coordinate that is not a finite
    /// number). A point on an edge or corner shared by several grids belongs to the one with the lowest code, so the
    /// answer never depends on the order the grids were indexed in.
    /// </summary>
    public Grid? GridAt(double longitude, double latitude)
    {
        if (!double.IsFinite(longitude) || !double.IsFinite(latitude) || Count == 0) return null;
        var point = Factory.CreatePoint(new Coordinate(longitude, latitude));
        Grid? found = null;
        foreach (var entry in _tree.Query(point.EnvelopeInternal))
            if ((found is null || string.CompareOrdinal(entry.Grid.Code, found.Code) < 0) && entry.Prepared.Covers(point))
                found = entry.Grid;
        return found;
    }

    /// <summary>The grids whose envelope meets the envelope given (a superset of the grids that meet it).</summary>
    public IEnumerable<Grid> Candidates(Envelope envelope) =>
        Count == 0 ? [] : _tree.Query(envelope).Select(e => e.Grid);

    private sealed record Entry(Grid Grid, IPreparedGeometry Prepared);
}

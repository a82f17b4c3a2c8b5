using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;

namespace CityCase.Domain.Reference;

/// <summary>Which unit grid a point falls in, through an STR-tree of the grids' envelopes.</summary>
public sealed class GridIndex
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);
    private readonly STRtree<Grid> _tree = new();

    public GridIndex(IEnumerable<Grid> grids)
    {
        foreach (var grid in grids) _tree.Insert(grid.Polygon.EnvelopeInternal, grid);
        _tree.Build();
    }

    /// <summary>
    /// The grid covering the point, or null outside the district. A point on a shared edge or corner
    /// belongs to the grid with the lowest code, so the answer never depends on the index's order.
    /// </summary>
    public Grid? GridAt(double longitude, double latitude)
    {
        var point = Factory.CreatePoint(new Coordinate(longitude, latitude));
        Grid? found = null;
        foreach (var grid in _tree.Query(point.EnvelopeInternal))
            if (grid.Polygon.Covers(point) && (found is null || string.CompareOrdinal(grid.Code, found.Code) < 0))
                found = grid;
        return found;
    }

    internal IList<Grid> Candidates(Envelope envelope) => _tree.Query(envelope);
}

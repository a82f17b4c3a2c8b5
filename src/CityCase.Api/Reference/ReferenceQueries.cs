using CityCase.Domain.Time;
using CityCase.Api.GraphQL;
using CityCase.Domain.Reference;
using GraphQL;
using GraphQL.Types;

namespace CityCase.Api.Reference;

public sealed record Coordinates(double Longitude, double Latitude);

public sealed class CoordinatesType : ObjectGraphType<Coordinates>
{
    public CoordinatesType()
    {
        Name = "Coordinates";
        Field(x => x.Longitude);
        Field(x => x.Latitude);
    }
}

public sealed class GridType : ObjectGraphType<Grid>
{
    public GridType()
    {
        Name = "Grid";
        Description = "A unit grid (单元网格): 15-digit code = division 6 + street 3 + community 3 + grid 3.";
        Field(x => x.Code);
        Field(x => x.Name);
        Field(x => x.StreetCode);
        Field(x => x.StreetName);
        Field(x => x.CommunityCode);
        Field(x => x.CommunityName);
        Field<NonNullGraphType<CoordinatesType>>("centroid").Resolve(c => new Coordinates(c.Source.Centroid.X, c.Source.Centroid.Y));
        Field<NonNullGraphType<GeoJsonPolygonType>>("geometry")
            .Description("The grid's outline as a GeoJSON (RFC 7946) Polygon geometry, as grids.geojson gives it: for maps.")
            .Resolve(c => c.Source.Polygon);
    }
}

/// <summary>A polygon as GeoJSON: <c>{ type: "Polygon", coordinates: [ring, ...] }</c>, each ring [[longitude, latitude], ...].</summary>
public sealed class GeoJsonPolygonType : ObjectGraphType<NetTopologySuite.Geometries.Polygon>
{
    public GeoJsonPolygonType()
    {
        Name = "GeoJsonPolygon";
        Field<NonNullGraphType<StringGraphType>>("type").Resolve(_ => "Polygon");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ListGraphType<NonNullGraphType<ListGraphType<NonNullGraphType<FloatGraphType>>>>>>>>("coordinates")
            .Description("The exterior ring first, then any holes; each ring closed (its last position repeats its first).")
            .Resolve(c => new[] { c.Source.ExteriorRing }.Concat(c.Source.InteriorRings)
                .Select(ring => ring.Coordinates.Select(p => new[] { p.X, p.Y }).ToArray()).ToArray());
    }
}

public sealed class CategoryKindType : EnumerationGraphType<CategoryKind>
{
    public CategoryKindType() => Name = "CategoryKind";
}

public sealed class TimeLimitUnitType : EnumerationGraphType<LimitUnit>
{
    public TimeLimitUnitType() => Name = "TimeLimitUnit";
}

public sealed class TimeLimitType : ObjectGraphType<Limit>
{
    public TimeLimitType()
    {
        Name = "TimeLimit";
        Field<NonNullGraphType<IntGraphType>>("amount").Resolve(c => (int)c.Source.Amount); // the catalogue's limits are whole numbers
        Field<NonNullGraphType<TimeLimitUnitType>>("unit").Resolve(c => c.Source.Unit);
    }
}

public sealed class CategoryType : ObjectGraphType<Category>
{
    public CategoryType()
    {
        Name = "Category";
        Description = "A minor class of the catalogue: 4-digit code = major class 2 + minor class 2.";
        Field(x => x.Code);
        Field(x => x.Name);
        Field(x => x.NameEn);
        Field<NonNullGraphType<CategoryKindType>>("kind").Resolve(c => c.Source.Kind);
        Field(x => x.MajorName);
        Field(x => x.DefaultDepartmentCode);
        Field<NonNullGraphType<TimeLimitType>>("normalDisposalLimit").Resolve(c => c.Source.DisposalLimits[Domain.Cases.Urgency.Normal]);
        Field<NonNullGraphType<TimeLimitType>>("urgentDisposalLimit").Resolve(c => c.Source.DisposalLimits[Domain.Cases.Urgency.Urgent]);
    }
}

public sealed class DepartmentType : ObjectGraphType<Department>
{
    public DepartmentType()
    {
        Name = "Department";
        Field(x => x.Code);
        Field(x => x.Name);
        Field(x => x.NameEn);
    }
}

/// <summary>The district's reference data: public, so that clients can fill their pickers before signing in.</summary>
public static class ReferenceQueries
{
    public static void AddReferenceQueries(this ObjectGraphType query)
    {
        query.Field<GridType>("gridAt")
            .Description("The unit grid a WGS 84 point falls in, or null outside the district.")
            .Argument<NonNullGraphType<FloatGraphType>>("longitude")
            .Argument<NonNullGraphType<FloatGraphType>>("latitude")
            .Resolve(c => c.Service<ReferenceData>().GridIndex.GridAt(c.GetArgument<double>("longitude"), c.GetArgument<double>("latitude")));

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<GridType>>>>("grids")
            .Description("The unit grids, optionally of one street or community.")
            .Argument<StringGraphType>("streetCode")
            .Argument<StringGraphType>("communityCode")
            .Resolve(c =>
            {
                var street = c.GetArgument<string?>("streetCode");
                var community = c.GetArgument<string?>("communityCode");
                return c.Service<ReferenceData>().Grids
                    .Where(g => (street is null || g.StreetCode == street) && (community is null || g.CommunityCode == community));
            });

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<CategoryType>>>>("categories")
            .Resolve(c => c.Service<ReferenceData>().Categories);

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<DepartmentType>>>>("departments")
            .Resolve(c => c.Service<ReferenceData>().Departments);
    }
}

using CityCase.Domain;
using GraphQL.Types;

namespace CityCase.Api.GraphQL;

public sealed class LocationType : ObjectGraphType<Location>
{
    public LocationType()
    {
        Name = "Location";
        Description = "A point in WGS 84 with the address people gave for it.";
        Field(x => x.Longitude);
        Field(x => x.Latitude);
        Field(x => x.Address, nullable: true);
    }
}

public sealed class LocationInput
{
    public double Longitude { get; set; }
    public double Latitude { get; set; }
    public string? Address { get; set; }

    public Location ToLocation() => new(Longitude, Latitude, Address);
}

public sealed class LocationInputType : InputObjectGraphType<LocationInput>
{
    public LocationInputType()
    {
        Name = "LocationInput";
        Field(x => x.Longitude).Description("Degrees east, -180 to 180 (WGS 84).");
        Field(x => x.Latitude).Description("Degrees north, -90 to 90 (WGS 84).");
        Field(x => x.Address, nullable: true);
    }
}

namespace CityCase.Domain;

/// <summary>A point in WGS 84 with an optional street address, as people give it.</summary>
public sealed record Location(double Longitude, double Latitude, string? Address)
{
    /// <summary>The problems with this location, in words a person understands; empty when it is valid.</summary>
    public IEnumerable<string> Problems()
    {
        if (!double.IsFinite(Longitude) || Longitude is < -180 or > 180)
            yield return $"location.longitude must be between -180 and 180 (was {Longitude})";
        if (!double.IsFinite(Latitude) || Latitude is < -90 or > 90)
            yield return $"location.latitude must be between -90 and 90 (was {Latitude})";
    }
}

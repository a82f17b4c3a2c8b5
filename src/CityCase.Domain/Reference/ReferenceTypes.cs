using CityCase.Domain.Cases;
using CityCase.Domain.Evidence;
using CityCase.Domain.Time;
using NetTopologySuite.Geometries;

namespace CityCase.Domain.Reference;

/// <summary>部件 (a component: a thing the city owns, such as a manhole cover) or 事件 (an event, such as exposed rubbish).</summary>
public enum CategoryKind
{
    Component,
    Event,
}

/// <summary>A WGS 84 point: longitude (east) and latitude (north) in degrees.</summary>
public readonly record struct GeoPoint(double Longitude, double Latitude)
{
    /// <summary>The longitude, under the name NetTopologySuite gives it.</summary>
    public double X => Longitude;

    /// <summary>The latitude, under the name NetTopologySuite gives it.</summary>
    public double Y => Latitude;
}

/// <summary>
/// A unit grid (单元网格): the smallest area an inspector patrols, roughly 10,000 m². Its 15-digit code is the
/// 6-digit division, the 3-digit street, the 3-digit community and the 3-digit grid sequence, so
/// <see cref="StreetCode"/> and <see cref="CommunityCode"/> are the code's first 9 and 12 digits.
/// </summary>
public sealed record Grid(
    string Code,
    string Name,
    string StreetCode,
    string StreetName,
    string CommunityCode,
    string CommunityName,
    Polygon Polygon)
{
    /// <summary>The polygon's centre of mass (longitude, latitude).</summary>
    public GeoPoint Centroid
    {
        get
        {
            var centroid = Polygon.Centroid;
            return new GeoPoint(centroid.X, centroid.Y);
        }
    }

    /// <summary>Where a case in this grid stands: grid, community and street.</summary>
    public CasePlace Place => new(Code, CommunityCode, StreetCode);
}

/// <summary>
/// A minor class (小类) of the category catalogue, with its limits and default department. The 4-digit code is
/// the major class (大类, 2 digits) followed by the minor class (2 digits); a code is unique across the catalogue.
/// </summary>
public sealed record Category(
    string Code,
    string Name,
    string NameEn,
    CategoryKind Kind,
    string MajorName,
    string DefaultDepartmentCode,
    IReadOnlyDictionary<Urgency, Limit> DisposalLimits,
    string FilingCondition,
    string ClosingCondition,
    IReadOnlySet<Urgency>? CloseReview = null)
{
    /// <summary>The questions a citizen's report of this class answers (Open311 service attributes); none by default.</summary>
    public IReadOnlyList<ServiceAttribute> Attributes { get; init; } = [];

    /// <summary>Whether a case of this class at <paramref name="urgency"/> needs the city-level review before closing (结案审核).</summary>
    public bool NeedsCloseReview(Urgency urgency) => CloseReview?.Contains(urgency) == true;

    /// <summary>The major class (大类): the code's first two digits.</summary>
    public string MajorCode => Code[..2];

    /// <summary>The disposal limit (处置时限) for a case of this class filed at the given urgency.</summary>
    public Limit DisposalLimit(Urgency urgency) => DisposalLimits[urgency];

    /// <summary>The photos this class's cases must have before the steps that need them (catalogue field <c>requiredPhotos</c>).</summary>
    public IReadOnlySet<AttachmentKind> RequiredPhotos { get; init; } = new HashSet<AttachmentKind>();
}

/// <summary>A department (专业部门) that disposes of cases.</summary>
public sealed record Department(string Code, string Name, string NameEn);

/// <summary>Category (on one street when <see cref="StreetCode"/> is given, else everywhere) to department.</summary>
public sealed record DispatchRule(string CategoryCode, string? StreetCode, string DepartmentCode);

/// <summary>A reference file that cannot be used; the message names the file, the entry and the problem.</summary>
public sealed class ReferenceDataException(string file, string entry, string problem)
    : Exception($"{file}: {entry}: {problem}")
{
    /// <summary>The file's name, e.g. <c>grids.geojson</c>.</summary>
    public string File { get; } = file;

    /// <summary>The entry at fault, e.g. <c>grid 310101001001001</c>, <c>rules[2]</c>, or <c>(file)</c> for the whole file.</summary>
    public string Entry { get; } = entry;

    /// <summary>What is wrong, in words a person who edits the file understands.</summary>
    public string Problem { get; } = problem;
}

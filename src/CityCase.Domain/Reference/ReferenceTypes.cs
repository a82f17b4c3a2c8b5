using CityCase.Domain.Cases;
using NetTopologySuite.Geometries;

namespace CityCase.Domain.Reference;

public enum CategoryKind
{
    Component,
    Event,
}

public enum TimeLimitUnit
{
    WorkingHours,
    WorkingDays,
    NaturalHours,
}

/// <summary>A time limit as a city publishes it: "5 working hours", "1 working day", "2 hours".</summary>
public sealed record TimeLimit(int Amount, TimeLimitUnit Unit);

/// <summary>A unit grid (单元网格): the smallest area an inspector patrols.</summary>
public sealed record Grid(
    string Code,
    string Name,
    string StreetCode,
    string StreetName,
    string CommunityCode,
    string CommunityName,
    Polygon Polygon)
{
    public Point Centroid => Polygon.Centroid;
    public CasePlace Place => new(Code, CommunityCode, StreetCode);
}

/// <summary>A minor class of the category catalogue, with its limits and default department.</summary>
public sealed record Category(
    string Code,
    string Name,
    string NameEn,
    CategoryKind Kind,
    string MajorName,
    string DefaultDepartmentCode,
    IReadOnlyDictionary<Urgency, TimeLimit> DisposalLimits,
    string FilingCondition,
    string ClosingCondition);

public sealed record Department(string Code, string Name, string NameEn);

/// <summary>Category (optionally on one street) to department.</summary>
public sealed record DispatchRule(string CategoryCode, string? StreetCode, string DepartmentCode);

/// <summary>A reference file that cannot be used; the message names the file, the entry and the problem.</summary>
public sealed class ReferenceDataException(string file, string entry, string problem)
    : Exception($"{file}: {entry}: {problem}")
{
    public string File { get; } = file;
    public string Entry { get; } = entry;
    public string Problem { get; } = problem;
}

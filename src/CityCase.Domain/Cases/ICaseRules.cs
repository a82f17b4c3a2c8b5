using CityCase.Domain.Evidence;

namespace CityCase.Domain.Cases;

/// <summary>
/// What the decider needs to know of the city's reference data: the category catalogue, the departments,
/// the dispatch rules and the grids. Passed in, so the decider stays a pure function.
/// </summary>
public interface ICaseRules
{
    bool IsKnownCategory(string categoryCode);
    bool IsKnownDepartment(string departmentCode);

    /// <summary>The department the dispatch rules choose, or null when none applies.</summary>
    string? DepartmentFor(string categoryCode, string? streetCode);

    /// <summary>The questions a citizen's report of the category answers (Open311 service attributes); none when unknown.</summary>
    IReadOnlyList<Reference.ServiceAttribute> AttributesOf(string categoryCode) => [];

    /// <summary>Where a location lies in the grid hierarchy, or null outside every unit grid of the district.</summary>
    CasePlace? PlaceAt(Location location);

    /// <summary>Whether a case of this category and urgency needs the city-level review before closing (结案审核): the catalogue's <c>closeReview</c>.</summary>
    bool NeedsCloseReview(string categoryCode, Urgency urgency) => false;
    /// <summary>The kinds of photo a category's cases must have before the step that needs them (the catalogue's <c>requiredPhotos</c>).</summary>
    IReadOnlySet<AttachmentKind> RequiredPhotos(string categoryCode) => EmptyKinds;

    private static readonly IReadOnlySet<AttachmentKind> EmptyKinds = new HashSet<AttachmentKind>();
}

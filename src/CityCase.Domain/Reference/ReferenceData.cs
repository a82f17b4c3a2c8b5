using CityCase.Domain.Cases;

namespace CityCase.Domain.Reference;

/// <summary>
/// One city's reference data: unit grids, the category catalogue, departments and dispatch rules, parsed and
/// validated from the texts of the four files. The caller reads the files; nothing here touches a disk or a network.
/// </summary>
public sealed class ReferenceData : ICaseRules
{
    public const string GridsFile = "grids.geojson";
    public const string CategoriesFile = "categories.json";
    public const string DepartmentsFile = "departments.json";
    public const string RulesFile = "dispatch-rules.json";

    /// <summary>The names of the four files <see cref="Parse(IEnumerable{ValueTuple{string, string}})"/> expects.</summary>
    public static IReadOnlyList<string> FileNames { get; } = [GridsFile, CategoriesFile, DepartmentsFile, RulesFile];

    private ReferenceData(IReadOnlyList<Grid> grids, IReadOnlyList<Category> categories,
        IReadOnlyList<Department> departments, IReadOnlyList<DispatchRule> rules)
    {
        Grids = grids;
        Categories = categories;
        Departments = departments;
        Rules = rules;
        GridsByCode = grids.ToDictionary(g => g.Code, StringComparer.Ordinal);
        CategoriesByCode = categories.ToDictionary(c => c.Code, StringComparer.Ordinal);
        DepartmentsByCode = departments.ToDictionary(d => d.Code, StringComparer.Ordinal);
        GridIndex = new GridIndex(grids);
        DispatchRules = new DispatchRules(rules, categories);
    }

    /// <summary>The grids, in file order.</summary>
    public IReadOnlyList<Grid> Grids { get; }

    public IReadOnlyList<Category> Categories { get; }
    public IReadOnlyList<Department> Departments { get; }
    public IReadOnlyList<DispatchRule> Rules { get; }
    public IReadOnlyDictionary<string, Grid> GridsByCode { get; }
    public IReadOnlyDictionary<string, Category> CategoriesByCode { get; }
    public IReadOnlyDictionary<string, Department> DepartmentsByCode { get; }

    /// <summary>Which grid a point falls in.</summary>
    public GridIndex GridIndex { get; }

    /// <summary>Which department a case goes to.</summary>
    public DispatchRules DispatchRules { get; }

    /// <summary>The grid covering the WGS 84 point, or null outside the district (see <see cref="Reference.GridIndex.GridAt"/>).</summary>
    public Grid? GridAt(double longitude, double latitude) => GridIndex.GridAt(longitude, latitude);

    public bool IsKnownCategory(string categoryCode) => CategoriesByCode.ContainsKey(categoryCode);
    public bool IsKnownDepartment(string departmentCode) => DepartmentsByCode.ContainsKey(departmentCode);

    public IReadOnlyList<ServiceAttribute> AttributesOf(string categoryCode) =>
        CategoriesByCode.TryGetValue(categoryCode, out var category) ? category.Attributes : [];

    /// <summary>A street rule beats a category rule, which beats the category's default (see <see cref="Reference.DispatchRules.Resolve"/>).</summary>
    public string? DepartmentFor(string categoryCode, string? streetCode) => DispatchRules.Resolve(categoryCode, streetCode);

    public CasePlace? PlaceAt(Location location) => GridAt(location.Longitude, location.Latitude)?.Place;

    public bool NeedsCloseReview(string categoryCode, Urgency urgency) =>
        CategoriesByCode.TryGetValue(categoryCode, out var category) && category.NeedsCloseReview(urgency);
    public IReadOnlySet<Evidence.AttachmentKind> RequiredPhotos(string categoryCode) =>
        CategoriesByCode.TryGetValue(categoryCode, out var category) ? category.RequiredPhotos : new HashSet<Evidence.AttachmentKind>();

    /// <summary>Parses and validates the four files, given as file name → text.</summary>
    /// <exception cref="ReferenceDataException">A file is missing, unknown or wrong; the message names the file, the entry and the problem.</exception>
    public static ReferenceData Parse(IReadOnlyDictionary<string, string> files) =>
        Parse(files.Select(f => (f.Key, f.Value)));

    /// <summary>Parses and validates the four files, given as (file name, text) pairs, e.g. <c>("grids.geojson", text)</c>.</summary>
    /// <exception cref="ReferenceDataException">A file is missing, unknown, given twice or wrong; the message names the file, the entry and the problem.</exception>
    public static ReferenceData Parse(params IEnumerable<(string FileName, string Text)> files)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, text) in files)
        {
            if (!FileNames.Contains(name, StringComparer.Ordinal))
                throw new ReferenceDataException(name, ReferenceJson.WholeFile,
                    $"not a reference file (the files are {string.Join(", ", FileNames)})");
            if (!texts.TryAdd(name, text ?? ""))
                throw new ReferenceDataException(name, ReferenceJson.WholeFile, "the file is given twice");
        }
        foreach (var name in FileNames)
            if (!texts.ContainsKey(name))
                throw new ReferenceDataException(name, ReferenceJson.WholeFile, "the file is missing");

        var departments = CatalogueParser.Departments(texts[DepartmentsFile]);
        var departmentCodes = departments.Select(d => d.Code).ToHashSet(StringComparer.Ordinal);
        var categories = CatalogueParser.Categories(texts[CategoriesFile], departmentCodes);
        var grids = GridsParser.Parse(texts[GridsFile]);
        var rules = CatalogueParser.Rules(texts[RulesFile],
            categories.Select(c => c.Code).ToHashSet(StringComparer.Ordinal), departmentCodes,
            grids.Select(g => g.StreetCode).ToHashSet(StringComparer.Ordinal));
        return new ReferenceData(grids, categories, departments, rules);
    }
}

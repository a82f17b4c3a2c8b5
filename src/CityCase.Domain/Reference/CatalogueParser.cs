using CityCase.Domain.Time;
using CityCase.Domain.Cases;
using CityCase.Domain.Evidence;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CityCase.Domain.Reference;

/// <summary>Reads departments.json, categories.json and dispatch-rules.json.</summary>
internal static class CatalogueParser
{
    public static List<Department> Departments(string text)
    {
        const string file = ReferenceData.DepartmentsFile;
        var result = new List<Department>();
        var codes = new HashSet<string>(StringComparer.Ordinal);
        var items = ReferenceJson.List(ReferenceJson.Root(file, text), file, "departments", "departments");
        for (var i = 0; i < items.Count; i++)
        {
            var item = new JsonEntry(file, $"departments[{i}]", items[i]);
            var code = item.Text("code");
            item.Rename($"department {code}");
            item.OnlyFields("code", "name", "nameEn");
            if (code.Any(char.IsWhiteSpace)) throw item.Error("the code must not contain spaces");
            if (!codes.Add(code)) throw item.Error("the code is used twice");
            result.Add(new Department(code, item.Text("name"), item.OptionalText("nameEn") ?? ""));
        }
        return result;
    }

    public static List<Category> Categories(string text, IReadOnlySet<string> departments)
    {
        const string file = ReferenceData.CategoriesFile;
        var result = new List<Category>();
        var codes = new HashSet<string>(StringComparer.Ordinal);
        var majors = new Dictionary<string, Category>(StringComparer.Ordinal);
        var items = ReferenceJson.List(ReferenceJson.Root(file, text), file, "categories", "categories");
        for (var i = 0; i < items.Count; i++)
        {
            var item = new JsonEntry(file, $"categories[{i}]", items[i]);
            var code = item.Text("code");
            item.Rename($"category {code}");
            item.OnlyFields("code", "name", "nameEn", "kind", "majorName", "defaultDepartmentCode", "disposalLimit",
                "filingCondition", "closingCondition", "attributes", "closeReview", "requiredPhotos");
            if (!CategoryCodes.IsWellFormed(code))
                throw item.Error("the code must be 4 digits (major class 2, minor class 2)");
            if (!codes.Add(code)) throw item.Error("the code is used twice");

            var name = item.Text("name");
            var kind = item.Enum<CategoryKind>("kind");
            var majorName = item.Text("majorName");
            var department = item.Text("defaultDepartmentCode");
            if (!departments.Contains(department))
                throw item.Error($"defaultDepartmentCode '{department}' is not in {ReferenceData.DepartmentsFile}");
            var limits = DisposalLimits(item.Object("disposalLimit"));
            var category = new Category(code, name, item.OptionalText("nameEn") ?? "", kind, majorName, department, limits,
                item.Text("filingCondition"), item.Text("closingCondition"), CloseReview(item))
            {
                Attributes = Attributes(item),
                RequiredPhotos = RequiredPhotos(item),
            };

            // One major class (大类) has one kind and one name: 0101 and 0102 are both 公用设施 components.
            if (majors.TryGetValue(category.MajorCode, out var first))
            {
                if (first.Kind != kind)
                    throw item.Error($"major class {category.MajorCode} is {Naming.ScreamingSnake(first.Kind.ToString())} in " +
                                     $"category {first.Code} but {Naming.ScreamingSnake(kind.ToString())} here");
                if (first.MajorName != majorName)
                    throw item.Error($"major class {category.MajorCode} is named '{first.MajorName}' in category {first.Code} " +
                                     $"but majorName is '{majorName}' here");
            }
            else majors.Add(category.MajorCode, category);
            result.Add(category);
        }
        return result;
    }

    /// <summary>
    /// <c>"attributes": [{ "code", "datatype", "required", "description", "datatypeDescription", "values": [{ "key", "name" }] }]</c>:
    /// the questions a citizen's report answers (Open311 service attributes). Optional; codes and keys are unique and
    /// well formed, and only list datatypes have values (at least one).
    /// </summary>
    private static List<ServiceAttribute> Attributes(JsonEntry category)
    {
        var result = new List<ServiceAttribute>();
        foreach (var item in category.OptionalObjects("attributes"))
        {
            item.OnlyFields("code", "datatype", "required", "description", "datatypeDescription", "values");
            var code = item.Text("code");
            if (!ServiceAttributes.IsWellFormedCode(code))
                throw item.Error($"code '{code}' must be 1 to {ServiceAttributes.MaxCodeLength} letters, digits, '_' or '-'");
            if (result.Any(a => a.Code == code)) throw item.Error($"code '{code}' is used twice");
            var datatype = item.Enum<AttributeDatatype>("datatype");
            var values = new List<AttributeValue>();
            foreach (var value in item.OptionalObjects("values"))
            {
                value.OnlyFields("key", "name");
                var key = value.Text("key");
                if (!ServiceAttributes.IsWellFormedCode(key))
                    throw value.Error($"key '{key}' must be 1 to {ServiceAttributes.MaxCodeLength} letters, digits, '_' or '-'");
                if (values.Any(v => v.Key == key)) throw value.Error($"key '{key}' is used twice");
                values.Add(new AttributeValue(key, value.Text("name")));
            }
            var question = new ServiceAttribute(code, datatype, item.OptionalBool("required", false), item.Text("description"),
                item.OptionalText("datatypeDescription"), values);
            if (question.IsList && values.Count == 0) throw item.Error($"a {Naming.ScreamingSnake(datatype.ToString())} needs 'values'");
            if (!question.IsList && values.Count > 0)
                throw item.Error($"only SINGLE_VALUE_LIST and MULTI_VALUE_LIST take 'values' (this is {Naming.ScreamingSnake(datatype.ToString())})");
            result.Add(question);
        }
        return result;
    }

    /// <summary>
    /// The optional <c>closeReview</c>: the urgencies (<c>["urgent"]</c>, or both) at which a case of this class needs the
    /// city-level review before closing (结案审核). Left out: none.
    /// </summary>
    private static IReadOnlySet<Urgency> CloseReview(JsonEntry item) =>
        NameSet(item, "closeReview", "urgencies", System.Enum.GetValues<Urgency>().ToDictionary(u => u.ToString().ToLowerInvariant()));

    /// <summary>
    /// <c>"requiredPhotos": ["AFTER_DISPOSAL", "VERIFICATION"]</c>, optional: the photos a step of this category's cases
    /// needs (before- and after-disposal photos at reportDisposal, verification photos at verifyDisposal). Report photos
    /// cannot be required: a citizen's call may come without one.
    /// </summary>
    private static IReadOnlySet<AttachmentKind> RequiredPhotos(JsonEntry item) =>
        NameSet(item, "requiredPhotos", "photo kinds", new[] { AttachmentKind.BeforeDisposal, AttachmentKind.AfterDisposal, AttachmentKind.Verification }
            .ToDictionary(k => Naming.ScreamingSnake(k.ToString())));

    /// <summary>An optional list of names, each one of <paramref name="byName"/>'s and given once; left out or null: none.</summary>
    private static IReadOnlySet<T> NameSet<T>(JsonEntry item, string field, string what, Dictionary<string, T> byName)
    {
        var result = new HashSet<T>();
        if (!item.Node.TryGetPropertyValue(field, out var value) || value is null) return result;
        var names = string.Join(", ", byName.Keys);
        if (value is not JsonArray list) throw item.Error($"'{field}' must be a list of {what} ({names}), not {ReferenceJson.Describe(value)}");
        foreach (var element in list)
        {
            var name = element is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
            if (name is null || !byName.TryGetValue(name, out var known))
                throw item.Error($"{field} {ReferenceJson.Describe(element)} is not one of {names}");
            if (!result.Add(known)) throw item.Error($"{field} names '{name}' twice");
        }
        return result;
    }

    /// <summary><c>{ "normal": {"amount": 5, "unit": "WORKING_HOURS"}, "urgent": {...} }</c>: one limit per urgency, each given.</summary>
    private static Dictionary<Urgency, Limit> DisposalLimits(JsonEntry limits)
    {
        var byName = System.Enum.GetValues<Urgency>().ToDictionary(u => u.ToString().ToLowerInvariant());
        foreach (var (name, _) in limits.Node)
            if (!byName.ContainsKey(name))
                throw limits.Error($"urgency '{name}' is not one of {string.Join(", ", byName.Keys)}");

        var result = new Dictionary<Urgency, Limit>();
        foreach (var (name, urgency) in byName)
        {
            var limit = limits.Object(name);
            limit.OnlyFields("amount", "unit");
            result[urgency] = new Limit(limit.PositiveWholeNumber("amount"), limit.Enum<LimitUnit>("unit"));
        }
        return result;
    }

    public static List<DispatchRule> Rules(string text, IReadOnlySet<string> categories, IReadOnlySet<string> departments,
        IReadOnlySet<string> streets)
    {
        const string file = ReferenceData.RulesFile;
        var result = new List<DispatchRule>();
        var covered = new Dictionary<(string, string?), int>();
        var items = ReferenceJson.List(ReferenceJson.Root(file, text), file, "rules", "rules");
        for (var i = 0; i < items.Count; i++)
        {
            var item = new JsonEntry(file, $"rules[{i}]", items[i]);
            item.OnlyFields("categoryCode", "streetCode", "departmentCode");
            var category = item.Text("categoryCode");
            var street = item.OptionalText("streetCode");
            var department = item.Text("departmentCode");
            if (!categories.Contains(category))
                throw item.Error($"categoryCode '{category}' is not in {ReferenceData.CategoriesFile}");
            if (street is not null && (street.Length != 9 || !street.All(char.IsAsciiDigit)))
                throw item.Error($"streetCode '{street}' must be 9 digits (division 6, street 3)");
            if (street is not null && !streets.Contains(street))
                throw item.Error($"streetCode '{street}' is not the street of any grid in {ReferenceData.GridsFile}");
            if (!departments.Contains(department))
                throw item.Error($"departmentCode '{department}' is not in {ReferenceData.DepartmentsFile}");
            if (!covered.TryAdd((category, street), i))
                throw item.Error($"rules[{covered[(category, street)]}] already covers category {category} " +
                                 (street is null ? "on every street" : $"on street {street}"));
            result.Add(new DispatchRule(category, street, department));
        }
        return result;
    }
}

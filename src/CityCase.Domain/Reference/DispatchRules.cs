namespace CityCase.Domain.Reference;

/// <summary>
/// Which department a case goes to: a rule for the category on the case's street beats a rule for the category
/// everywhere, which beats the category's default department. Lookups are dictionary reads.
/// </summary>
public sealed class DispatchRules
{
    private readonly Dictionary<(string Category, string Street), string> _byStreet = new();
    private readonly Dictionary<string, string> _byCategory = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _defaults = new(StringComparer.Ordinal);

    /// <summary>
    /// The rules and the catalogue whose default departments they override.
    /// Throws <see cref="ArgumentException"/> when two rules cover the same category and street.
    /// </summary>
    public DispatchRules(IEnumerable<DispatchRule> rules, IEnumerable<Category> categories)
    {
        Rules = rules.ToList();
        foreach (var category in categories) _defaults[category.Code] = category.DefaultDepartmentCode;
        foreach (var rule in Rules)
        {
            var added = rule.StreetCode is null
                ? _byCategory.TryAdd(rule.CategoryCode, rule.DepartmentCode)
                : _byStreet.TryAdd((rule.CategoryCode, rule.StreetCode), rule.DepartmentCode);
            if (!added)
                throw new ArgumentException(
                    $"Two dispatch rules cover category {rule.CategoryCode} on {rule.StreetCode ?? "every street"}.", nameof(rules));
        }
    }

    public IReadOnlyList<DispatchRule> Rules { get; }

    /// <summary>
    /// The department code for a case of the category on the street (null when the case has no street), or null
    /// when the category is unknown and no rule names it.
    /// </summary>
    public string? Resolve(string categoryCode, string? streetCode)
    {
        if (streetCode is not null && _byStreet.TryGetValue((categoryCode, streetCode), out var street)) return street;
        if (_byCategory.TryGetValue(categoryCode, out var category)) return category;
        return _defaults.GetValueOrDefault(categoryCode);
    }
}

using CityCase.Domain.Time;
using CityCase.Domain.Cases;
using CityCase.Domain.Reference;

namespace CityCase.Domain.Tests.Reference;

/// <summary>A street rule beats a category rule, which beats the category's default department.</summary>
public sealed class DispatchRulesTests
{
    private static readonly ReferenceData Sample = ReferenceSample.Data;

    private static Category Category(string code, string defaultDepartment) =>
        new(code, code, code, CategoryKind.Event, "市容环境", defaultDepartment,
            new Dictionary<Urgency, Limit>
            {
                [Urgency.Normal] = new(1, LimitUnit.WorkingDays),
                [Urgency.Urgent] = new(4, LimitUnit.WorkingHours),
            },
            "filed when seen", "closed when fixed");

    private static readonly DispatchRules Rules = new(
        [
            new DispatchRule("1101", "310101002", "STREET-2"),
            new DispatchRule("1101", null, "CATEGORY"),
            new DispatchRule("1102", "310101003", "STREET-3"),
        ],
        [Category("1101", "DEFAULT-1101"), Category("1102", "DEFAULT-1102"), Category("1103", "DEFAULT-1103")]);

    [Theory]
    [InlineData("1101", "310101002", "STREET-2")]     // the street rule
    [InlineData("1101", "310101001", "CATEGORY")]     // another street: the category rule
    [InlineData("1101", null, "CATEGORY")]            // no street known: the category rule
    [InlineData("1102", "310101003", "STREET-3")]     // a street rule without a category rule
    [InlineData("1102", "310101002", "DEFAULT-1102")] // ...falls back to the default elsewhere
    [InlineData("1102", null, "DEFAULT-1102")]
    [InlineData("1103", "310101002", "DEFAULT-1103")] // no rule: the default; 1101's street rule does not leak
    [InlineData("9999", "310101002", null)]           // unknown category
    [InlineData("9999", null, null)]
    public void Street_then_category_then_default(string category, string? street, string? expected) =>
        Assert.Equal(expected, Rules.Resolve(category, street));

    [Fact]
    public void Two_rules_for_the_same_category_and_street_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new DispatchRules(
            [new DispatchRule("1101", "310101002", "A"), new DispatchRule("1101", "310101002", "B")], []));
        Assert.Throws<ArgumentException>(() => new DispatchRules(
            [new DispatchRule("1101", null, "A"), new DispatchRule("1101", null, "B")], []));
    }

    [Fact]
    public void The_sample_rules_take_precedence_in_order()
    {
        // 0201 damaged road: D02 by a category rule, D07 on street 003 by a street rule; default also D02.
        Assert.Equal("D07", Sample.DispatchRules.Resolve("0201", "310101003"));
        Assert.Equal("D02", Sample.DispatchRules.Resolve("0201", "310101001"));
        // 1401 street vending: a category rule (D06) with no street rule.
        Assert.Equal("D06", Sample.DispatchRules.Resolve("1401", "310101002"));
        // 1102 exposed rubbish: D06 on street 002 by a street rule, else the default D01.
        Assert.Equal("D06", Sample.DispatchRules.Resolve("1102", "310101002"));
        Assert.Equal("D01", Sample.DispatchRules.Resolve("1102", "310101001"));
        Assert.Equal("D01", Sample.DispatchRules.Resolve("1102", null));
        // 1403 badly parked bicycles: D06 on street 001, else the default D07.
        Assert.Equal("D06", Sample.DispatchRules.Resolve("1403", "310101001"));
        Assert.Equal("D07", Sample.DispatchRules.Resolve("1403", "310101003"));
        // 0105 street lamp: no rule, the default.
        Assert.Equal("D03", Sample.DispatchRules.Resolve("0105", "310101001"));
        Assert.Null(Sample.DispatchRules.Resolve("9999", null));
    }

    [Fact]
    public void The_case_rules_ask_the_dispatch_rules()
    {
        ICaseRules rules = Sample;
        foreach (var category in Sample.Categories)
        foreach (var street in Sample.Grids.Select(g => g.StreetCode).Distinct().Append(null))
        {
            var department = rules.DepartmentFor(category.Code, street);
            Assert.Equal(Sample.DispatchRules.Resolve(category.Code, street), department);
            Assert.True(rules.IsKnownDepartment(department!));
        }
        Assert.True(rules.IsKnownCategory("0101"));
        Assert.False(rules.IsKnownCategory("9999"));
    }
}

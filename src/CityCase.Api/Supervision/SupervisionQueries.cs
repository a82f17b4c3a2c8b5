using CityCase.Api.Access;
using CityCase.Api.Cases;
using CityCase.Api.GraphQL;
using CityCase.Api.Lifecycle;
using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Engine.Cases;
using GraphQL;
using GraphQL.Types;
using Marten;
using NodaTime;

namespace CityCase.Api.Supervision;

/// <summary>The open supervisions of one level and department: how many, and how many of them are overdue.</summary>
public sealed record SupervisionGroup(SupervisionLevel Level, string? DepartmentCode, int Count, int Overdue);

/// <summary>The supervisor's view: open supervisions, overdue answers first.</summary>
public sealed record SupervisionBoard(int Total, int Overdue, IReadOnlyList<SupervisionGroup> Groups, IReadOnlyList<CaseView> Items);

public sealed class SupervisionGroupType : ObjectGraphType<SupervisionGroup>
{
    public SupervisionGroupType()
    {
        Name = "SupervisionGroup";
        Field<NonNullGraphType<SupervisionLevelType>>("level").Resolve(c => c.Source.Level);
        Field(x => x.DepartmentCode, nullable: true).Description("The department that must answer (null: the case awaits dispatch).");
        Field(x => x.Count).Description("Cases with open supervisions at this level, awaiting this department.");
        Field(x => x.Overdue).Description("Of them, the cases whose earliest reply deadline has passed.");
    }
}

public sealed class SupervisionBoardType : ObjectGraphType<SupervisionBoard>
{
    public SupervisionBoardType()
    {
        Name = "SupervisionBoard";
        Description = "Open supervisions (督办) awaiting the department's answer.";
        Field(x => x.Total).Description("Cases with open supervisions (within the filter).");
        Field(x => x.Overdue).Description("Of them, the cases whose earliest reply deadline has passed.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<SupervisionGroupType>>>>("groups")
            .Description("By level (the case's highest open one) and department, highest level first.").Resolve(c => c.Source.Groups);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CaseType>>>>("cases")
            .Description("The cases, soonest reply deadline first (so overdue answers come first), at most `first`.").Resolve(c => c.Source.Items);
    }
}

public static class SupervisionQueries
{
    /// <summary>Open supervisions read at most: a city's open 督办 are a few hundred, not a scan of every case.</summary>
    public const int MaxOpen = 2_000;

    public static void AddSupervisionQueries(this ObjectGraphType query) =>
        query.Field<NonNullGraphType<SupervisionBoardType>>("openSupervisions")
            .Description("The supervisor's view of open supervisions (督办) by level and department, overdue answers first. A department sees its own.")
            .Argument<StringGraphType>("departmentCode")
            .Argument<SupervisionLevelType>("level", "Only cases whose highest open supervision is at this level.")
            .Argument<IntGraphType>("first", "How many cases to list (1 to 100; 50 when not given).")
            .ResolveAsync(async context =>
            {
                var actor = context.RequireActor();
                var first = CaseConnectionQueries.PageSize(context.GetArgument<int?>("first"), byDefault: 50);
                var department = context.DepartmentInScope(actor);
                var level = context.GetArgument<SupervisionLevel?>("level");
                var nowMs = context.Service<IClock>().GetCurrentInstant().ToUnixTimeMilliseconds();

                IQueryable<CaseView> open = context.Service<IQuerySession>().Query<CaseView>()
                    .Where(v => v.SupervisionReplyDueMs != null && v.IsOpen);
                if (department is not null) open = open.Where(v => v.DepartmentCode == department);
                if (level is { } l) open = open.Where(v => v.SupervisionLevel == l);
                var cases = await open.OrderBy(v => v.SupervisionReplyDueMs).Take(MaxOpen).ToListAsync(context.CancellationToken);

                bool Overdue(CaseView v) => v.SupervisionReplyDueMs < nowMs;
                var groups = cases.GroupBy(v => (Level: v.SupervisionLevel!.Value, v.DepartmentCode))
                    .Select(g => new SupervisionGroup(g.Key.Level, g.Key.DepartmentCode, g.Count(), g.Count(Overdue)))
                    .OrderByDescending(g => g.Level).ThenBy(g => g.DepartmentCode, StringComparer.Ordinal).ToList();
                return new SupervisionBoard(cases.Count, cases.Count(Overdue), groups, cases.Take(first).ToList());
            });
}

using CityCase.Api.Access;
using CityCase.Api.Cases;
using CityCase.Api.GraphQL;
using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Engine.Cases;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace CityCase.Api.Lifecycle;

/// <summary>What one person has to do: an inspector's verifications and own findings, a department worker's cases.</summary>
public sealed record MyTasks(IReadOnlyList<CaseView> Verifications, IReadOnlyList<CaseView> Findings, IReadOnlyList<CaseView> Assigned);

public sealed class MyTasksType : ObjectGraphType<MyTasks>
{
    public MyTasksType()
    {
        Name = "MyTasks";
        Description = "The caller's own work, oldest change first.";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CaseType>>>>("verifications")
            .Description("Inspectors: disposals awaiting your on-site verification (核查).").Resolve(c => c.Source.Verifications);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CaseType>>>>("findings")
            .Description("Inspectors: your own patrol findings still open, and where they stand.").Resolve(c => c.Source.Findings);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CaseType>>>>("assigned")
            .Description("Department workers: the open cases your department gave you (assignCase).").Resolve(c => c.Source.Assigned);
    }
}

/// <summary>
/// Work for named people: the verification goes to the beat's inspector (a dispatcher may give it to another), a
/// department gives its case to a worker, a dispatcher names assisting departments (协办); <c>myTasks</c> lists one's own.
/// </summary>
public static class WorkFields
{
    /// <summary>Cases listed per kind of task at most.</summary>
    public const int MaxTasks = 200;

    public static void AddWorkMutations(this ObjectGraphType mutation)
    {
        mutation.CaseMutation("assignVerification",
            "Give a reported disposal's on-site verification to another inspector (it goes to the inspector of the case's beat by itself).",
            i => i.Field<NonNullGraphType<StringGraphType>>("inspectorUserId"),
            (input, _) => new AssignVerification(input.Get<string>("inspectorUserId")));

        mutation.CaseMutation("assignCase",
            "The department holding the case gives it to one of its workers (who then sees it in myTasks); giving it to another is recorded as a reassignment.",
            i =>
            {
                i.Field<NonNullGraphType<StringGraphType>>("assigneeUserId");
                i.Field<StringGraphType>("assigneeName");
            },
            (input, _) => new AssignCase(input.Get<string>("assigneeUserId"), input.Get<string?>("assigneeName")));

        mutation.CaseMutation("addAssistingDepartment",
            "Name a department that assists the lead department (协办): it may see the case and add notes; the lead department alone disposes.",
            i => i.Field<NonNullGraphType<StringGraphType>>("departmentCode"),
            (input, _) => new AddAssistingDepartment(input.Get<string>("departmentCode")));
    }

    public static void AddWorkQueries(this ObjectGraphType query) =>
        query.Field<NonNullGraphType<MyTasksType>>("myTasks")
            .Description($"The caller's own work (at most {MaxTasks} of each kind): an inspector's verifications due and open findings; a department worker's assigned cases.")
            .ResolveAsync(async context =>
            {
                var actor = context.RequireActor();
                var cases = context.Service<IQuerySession>().Query<CaseView>();
                var ct = context.CancellationToken;
                var user = actor.UserId;
                if (actor.Role == Roles.Inspector)
                    return new MyTasks(
                        await cases.Where(v => v.VerificationInspector == user && v.Status == CaseStatus.Disposed && !v.Verified)
                            .OrderBy(v => v.UpdatedAt).Take(MaxTasks).ToListAsync(ct),
                        await cases.Where(v => v.RecordedBy.UserId == user && v.IsOpen).OrderBy(v => v.UpdatedAt).Take(MaxTasks).ToListAsync(ct),
                        []);
                if (actor.Role == Roles.Department)
                {
                    var department = actor.Department ?? "";
                    return new MyTasks([], [], await cases.Where(v => v.Assignee == user && v.DepartmentCode == department && v.IsOpen)
                        .OrderBy(v => v.UpdatedAt).Take(MaxTasks).ToListAsync(ct));
                }
                return new MyTasks([], [], []);
            });

    /// <summary>The case's fields for named work.</summary>
    public static void AddWorkFields(this ObjectGraphType<CaseView> type)
    {
        type.Field(x => x.VerificationInspector, nullable: true).Description("The inspector the disposal's verification went to.");
        type.Field(x => x.Assignee, nullable: true).Description("The department's worker who holds the case (the dispatch queue shows who holds what).");
        type.Field(x => x.AssigneeName, nullable: true);
        type.Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("assistingDepartments")
            .Description("Departments assisting the lead department (协办).").Resolve(c => c.Source.AssistingDepartments);
    }
}

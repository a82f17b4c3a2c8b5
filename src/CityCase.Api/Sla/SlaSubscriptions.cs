using System.Reactive.Linq;
using CityCase.Api.Cases;
using CityCase.Api.Access;
using CityCase.Api.GraphQL;
using CityCase.Domain.Time;
using CityCase.Engine.Cases;
using CityCase.Engine.Sla;
using GraphQL;
using GraphQL.Types;

namespace CityCase.Api.Sla;

public sealed class SlaAlertType : ObjectGraphType<SlaAlert>
{
    public SlaAlertType()
    {
        Name = "SlaAlert";
        Description = "A case's stage turned YELLOW or RED.";
        Field<NonNullGraphType<IdGraphType>>("caseId").Resolve(c => c.Source.CaseId);
        Field(x => x.CaseNumber);
        Field(x => x.DepartmentCode, nullable: true);
        Field<NonNullGraphType<ClockKindType>>("stage").Resolve(c => c.Source.Stage);
        Field<NonNullGraphType<LightType>>("level").Resolve(c => c.Source.Level);
        Field<NonNullGraphType<InstantGraphType>>("dueAt").Resolve(c => c.Source.DueAt);
    }
}

public sealed class SubscriptionType : ObjectGraphType
{
    public SubscriptionType()
    {
        Name = "Subscription";

        Field<NonNullGraphType<SlaAlertType>>("slaAlerts")
            .Description("Each time a case's stage turns YELLOW or RED, for one department or all.")
            .Argument<StringGraphType>("departmentCode")
            .ResolveStream(context =>
            {
                var actor = context.RequireActor();
                var department = context.DepartmentInScope(actor);
                return context.Service<CaseChangeFeed>().Alerts.Where(a => department is null || a.DepartmentCode == department);
            });

        Field<NonNullGraphType<CaseType>>("caseChanged")
            .Description("The case view after each change of the case.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveStream(context =>
            {
                var actor = context.RequireActor();
                var id = CaseQueries.ParseCaseId(context.GetArgument<string>("id"), "id");
                var beats = context.Service<Domain.Assessment.AssessmentRules>().InspectorOfGrid;
                // Each change is checked against the reader's scope as it comes (a case may leave a department's hands).
                return context.Service<CaseChangeFeed>().Changes.Where(v => v.Id == id && CaseAccess.InScope(actor, v, beats));
            });
    }
}

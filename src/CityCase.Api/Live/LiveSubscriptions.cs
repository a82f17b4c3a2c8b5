using System.Globalization;
using System.Reactive.Linq;
using CityCase.Api.Access;
using CityCase.Api.Cases;
using CityCase.Api.GraphQL;
using CityCase.Api.Sla;
using CityCase.Domain;
using CityCase.Engine.Live;
using GraphQL;
using GraphQL.Types;

namespace CityCase.Api.Live;

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
        Field<NonNullGraphType<StringGraphType>>("cursor")
            .Description("Where this alert stands in the feed: pass the last one seen as slaAlerts(after:) when reconnecting.")
            .Resolve(c => c.Source.Sequence.ToString(CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// Live feeds, pushed over graphql-ws from whichever node the client is connected to, for changes made on any node
/// (<see cref="CaseChangeFeed"/>). A client that reconnects passes where it got to and misses nothing.
/// </summary>
public sealed class SubscriptionType : ObjectGraphType
{
    public SubscriptionType()
    {
        Name = "Subscription";

        Field<NonNullGraphType<SlaAlertType>>("slaAlerts")
            .Description("Each time a case's stage turns YELLOW or RED, for one department or all.")
            .Argument<StringGraphType>("departmentCode")
            .Argument<StringGraphType>("after", "The cursor of the last alert seen: the alerts since then come first (at most 1,000).")
            .ResolveStream(context =>
            {
                var actor = context.RequireActor();
                var department = context.DepartmentInScope(actor);
                var after = context.GetArgument<string?>("after") is { } text
                    ? long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var cursor) ? cursor
                        : throw new ValidationFailedException($"after: '{text}' is not an alert cursor (use an SlaAlert's cursor).")
                    : (long?)null;
                return context.Service<CaseChangeFeed>().AlertsAfter(after).Where(a => department is null || a.DepartmentCode == department);
            });

        Field<NonNullGraphType<CaseType>>("caseChanged")
            .Description("The case view after each change of the case.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<IntGraphType>("afterVersion", "The version of the case last seen: if it has changed since, the case as it is now comes first.")
            .ResolveStream(context =>
            {
                var actor = context.RequireActor();
                var id = CaseQueries.ParseCaseId(context.GetArgument<string>("id"), "id");
                var afterVersion = context.GetArgument<int?>("afterVersion");
                if (afterVersion < 0) throw new ValidationFailedException($"afterVersion: {afterVersion} is below 0.");
                var beats = context.Service<Domain.Assessment.AssessmentRules>().InspectorOfGrid;
                // Each change is checked against the reader's scope as it comes (a case may leave a department's hands).
                return context.Service<CaseChangeFeed>().ChangesOf(id, afterVersion).Where(v => CaseAccess.InScope(actor, v, beats));
            });
    }
}

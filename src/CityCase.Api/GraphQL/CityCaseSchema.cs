using CityCase.Api.Access;
using CityCase.Api.Assessment;
using CityCase.Api.Audit;
using CityCase.Api.Cases;
using CityCase.Api.Evidence;
using CityCase.Api.Intake;
using CityCase.Api.Lifecycle;
using CityCase.Api.Notices;
using CityCase.Api.Reference;
using CityCase.Api.Sla;
using CityCase.Api.Live;
using CityCase.Api.Privacy;
using CityCase.Api.Supervision;
using GraphQL;
using GraphQL.Types;

namespace CityCase.Api.GraphQL;

/// <summary>The root types; each capability adds its own fields next to its handlers.</summary>
public sealed class QueryType : ObjectGraphType
{
    public QueryType()
    {
        Name = "Query";
        this.AddCaseQueries();
        this.AddCaseHistoryQueries();
        this.AddAuditChainQuery();
        this.AddAuditQueries();
        this.AddCaseConnectionQueries();
        this.AddCaseFilterQueries();
        this.AddDuplicateCandidateQueries();
        this.AddReferenceQueries();
        this.AddSlaQueries();
        this.AddAssessmentQueries();
        this.AddDailyIntakeQuery();
        this.AddScorecardVersionQueries();
        this.AddCalendarQueries();
        this.AddContactRevealQuery();
        this.AddPrivacyQueries();
        this.AddSupervisionQueries();
        this.AddWorkQueries();
    }
}

public sealed class MutationType : ObjectGraphType
{
    public MutationType()
    {
        Name = "Mutation";
        this.AddIntakeMutations();
        this.AddLifecycleMutations();
        this.AddLoopMutations();
        this.AddWorkMutations();
        this.AddEvidenceMutations();
        this.AddNoticeMutations();
        this.AddCalendarMutations();
        this.AddScorecardVersionMutations();
        this.AddContactRevealMutation();
        this.AddAuditMutations();
        this.AddPrivacyMutations();
    }
}

public sealed class CityCaseSchema : Schema
{
    public CityCaseSchema(IServiceProvider services) : base(services)
    {
        Query = new QueryType();
        Mutation = new MutationType();
        Subscription = new SubscriptionType();
        this.WithIntrospectionComplexityImpact(0); // introspection is bounded by depth; clients' tools must work
    }
}

public static class GraphQLRegistration
{
    public static IServiceCollection AddCityCaseGraphQL(this IServiceCollection services)
    {
        services.AddGraphQL(builder => builder
            .AddSchema<CityCaseSchema>()
            .AddGraphTypes(typeof(CityCaseSchema).Assembly)
            .AddSystemTextJson()
            .AddValidationRule(new Access.AccessValidationRule(), useForCachedDocuments: true) // the user differs on every request
            .AddValidationRule(new QueryCostRule()) // a document's cost does not change; pages are capped at 100 whatever the variables
            .AddValidationRule(new FieldCountRule())
            .UseMiddleware<ArgumentTextMiddleware>()
            .ConfigureExecution<DocumentCache>()
            .AddUnhandledExceptionHandler(GraphQLErrors.Translate));
        // Syntax nested deeper than this is refused while parsing (QUERY_TOO_DEEP), before it costs anything.
        services.AddSingleton<global::GraphQL.Execution.IDocumentBuilder>(new global::GraphQL.Execution.GraphQLDocumentBuilder { MaxDepth = RequestLimits.MaxParserDepth });
        return services;
    }

    /// <summary>The schema as clients see it, in SDL; schema/citycase.graphql holds a copy.</summary>
    public static string PrintSchema()
    {
        var services = new ServiceCollection().AddCityCaseGraphQL().BuildServiceProvider();
        var schema = services.GetRequiredService<ISchema>();
        schema.Initialize();
        return schema.Print().ReplaceLineEndings("\n").TrimEnd() + "\n";
    }
}

using CityCase.Api.Access;
using CityCase.Api.GraphQL;
using CityCase.Domain.Assessment;
using CityCase.Engine.Assessment;
using GraphQL;
using GraphQL.Types;

namespace CityCase.Api.Assessment;

public sealed class ScorecardVersionStageType : EnumerationGraphType<ScorecardVersionStage>
{
    public ScorecardVersionStageType()
    {
        Name = "ScorecardVersionStage";
        Description = "ACTIVE: the reads answer from it. BUILDING: newer, still behind the events. READY: newer and caught up. RETIRED: older, its rows removed.";
    }
}

public sealed class CompositeWeightsType : ObjectGraphType<CompositeWeights>
{
    public CompositeWeightsType()
    {
        Name = "CompositeWeights";
        Description = "A department's composite score: disposal rate × disposalRate + on-time disposal rate × onTimeDisposalRate + " +
                      "(1 − rework rate) × reworkRate + (1 − overdue rate) × overdueRate + (1 − extension rate) × extensionRate.";
        Field(x => x.DisposalRate);
        Field(x => x.OnTimeDisposalRate);
        Field(x => x.ReworkRate);
        Field(x => x.OverdueRate);
        Field(x => x.ExtensionRate);
    }
}

public sealed class ScorecardVersionType : ObjectGraphType<ScorecardVersionStatus>
{
    public ScorecardVersionType()
    {
        Name = "ScorecardVersion";
        Description = "One version of the scorecard rules (City:Scorecard:RulesVersion) and how far its scorecards are built.";
        Field(x => x.Version);
        Field<NonNullGraphType<ScorecardVersionStageType>>("stage").Resolve(c => c.Source.Stage);
        Field<NonNullGraphType<LongGraphType>>("sequence").Resolve(c => c.Source.Sequence)
            .Description("The last event its projection has counted.");
        Field<NonNullGraphType<LongGraphType>>("highWaterMark").Resolve(c => c.Source.HighWaterMark)
            .Description("The last event every projection may count now (Marten's high-water mark).");
        Field<NonNullGraphType<LongGraphType>>("behind").Resolve(c => c.Source.Behind);
        Field<NonNullGraphType<CompositeWeightsType>>("weights").Resolve(c => c.Source.Weights);
        Field(x => x.AcceptanceNoticeWorkingDays);
        Field<NonNullGraphType<InstantGraphType>>("recordedAt").Resolve(c => c.Source.RecordedAt)
            .Description("When the first node with these rules started.");
        Field<InstantGraphType>("switchedAt").Resolve(c => c.Source.SwitchedAt)
            .Description("When the reads moved to it from an earlier version (the active version only).");
    }
}

/// <summary>Blue/green scorecards: which versions of the rules exist, how far each is built, and the admin's switch.</summary>
public static class ScorecardVersionFields
{
    public static void AddScorecardVersionQueries(this ObjectGraphType query) =>
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<ScorecardVersionType>>>>("scorecardVersions")
            .Description("Every version of the scorecard rules, newest first: the active one, newer ones being built beside it, and retired ones.")
            .ResolveAsync(async context =>
            {
                context.RequireActor();
                return await context.Service<ScorecardVersions>().StatusAsync(context.CancellationToken);
            });

    public static void AddScorecardVersionMutations(this ObjectGraphType mutation)
    {
        var input = new InputObjectGraphType { Name = "SwitchScorecardsInput" };
        input.Field<NonNullGraphType<IntGraphType>>("version").Description("A newer version than the active one, caught up with the events.");
        mutation.Field<NonNullGraphType<ScorecardVersionType>>("switchScorecards")
            .Description("Moves every node's scorecard reads to a newer version of the rules once it has caught up (refused, saying how far " +
                         "behind, until then); the older versions' rows are then removed. Nodes with City:Scorecard:Switch=Automatic do this " +
                         $"by themselves. For: {string.Join(", ", AccessPolicy.Operations["Mutation.switchScorecards"])}.")
            .Argument(new NonNullGraphType(input), "input")
            .ResolveAsync(async context =>
            {
                context.RequireActor();
                var version = (int)context.GetArgument<Dictionary<string, object?>>("input")["version"]!;
                var versions = context.Service<ScorecardVersions>();
                // Null only when another node moved the pointer meanwhile: the second try tells where it went.
                _ = await versions.TrySwitchAsync(version, context.CancellationToken) ?? await versions.TrySwitchAsync(version, context.CancellationToken);
                return (await versions.StatusAsync(context.CancellationToken)).Single(v => v.Version == version);
            });
    }
}

using CityCase.Api.Access;
using CityCase.Api.Cases;
using CityCase.Api.GraphQL;
using CityCase.Api.Lifecycle;
using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Engine.Cases;
using CityCase.Engine.Privacy;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace CityCase.Api.Privacy;

/// <summary>
/// Personal data that can be erased: an admin erases a closed case's citizen (the retention period does it by
/// itself, <see cref="CitizenDataRetention"/>), and agents find a caller's earlier cases by a keyed hash of the phone.
/// </summary>
public static class PrivacyFields
{
    public const int MaxCallerCases = 100;

    public static void AddPrivacyMutations(this ObjectGraphType mutation) =>
        mutation.CaseMutation("eraseCitizenData",
            "Erase the citizen's name and phone of a closed case for good: its key is destroyed, so the events, the case view and the history " +
            "show them as erased, while every other fact of the case stays; recorded as CitizenDataErased (who, when, why). " +
            "Refused while the case is open; a repeat changes nothing.",
            LifecycleMutations.Reason, (input, _) => new EraseCitizenData(input.Get<string>("reason")));

    public static void AddPrivacyQueries(this ObjectGraphType query) =>
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<CaseType>>>>("casesByCallerPhone")
            .Description($"The cases a phone number called about, newest first (at most {MaxCallerCases}). Matched on a keyed hash of the " +
                         "number's digits (+86 and 0086 dropped), never on clear text; a caller whose data was erased is no longer found.")
            .Argument<NonNullGraphType<StringGraphType>>("phone")
            .Argument<IntGraphType>("first")
            .ResolveAsync(async context =>
            {
                context.RequireActor();
                var first = CaseConnectionQueries.PageSize(context.GetArgument<int?>("first"), max: MaxCallerCases);
                var hash = context.Service<CitizenVault>().PhoneHash(context.GetArgument<string>("phone"))
                           ?? throw new ValidationFailedException("phone must contain digits");
                var session = context.Service<IQuerySession>();
                var ids = await session.Query<CitizenKey>().Where(k => k.PhoneHash == hash).Select(k => k.Id).ToListAsync(context.CancellationToken);
                var views = await session.LoadManyAsync<CaseView>(context.CancellationToken, ids);
                return views.Where(v => CaseAccess.InScope(context.RequireActor(), v, context.Service<Domain.Assessment.AssessmentRules>().InspectorOfGrid))
                    .OrderByDescending(v => v.ReportedAt).Take(first).ToList();
            });
}

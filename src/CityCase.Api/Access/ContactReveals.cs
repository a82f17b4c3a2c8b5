using CityCase.Api.Cases;
using CityCase.Api.GraphQL;
using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Engine.Cases;
using CityCase.Engine.Lifecycle;
using GraphQL;
using GraphQL.Types;
using Marten;
using NodaTime;

namespace CityCase.Api.Access;

/// <summary>A citizen's contact shown in full to someone who is otherwise shown it masked; the reveal is on the case's record.</summary>
public sealed record CitizenContact(CaseView Case, Instant RevealedAt);

public sealed class CitizenContactType : ObjectGraphType<CitizenContact>
{
    public CitizenContactType()
    {
        Name = "CitizenContact";
        Field<NonNullGraphType<IdGraphType>>("caseId").Resolve(c => c.Source.Case.Id);
        Field<NonNullGraphType<StringGraphType>>("caseNumber").Resolve(c => c.Source.Case.Number);
        Field<CitizenType>("citizen").Description(AccessPolicy.PersonalData["CitizenContact.citizen"])
            .ResolveAsync(async c => await c.CitizenOf(c.Source.Case, Disclosure.Full));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CitizenType>>>>("linkedReporters")
            .Description(AccessPolicy.PersonalData["CitizenContact.linkedReporters"])
            .ResolveAsync(async c => await c.LinkedReportersOf(c.Source.Case, Disclosure.Full));
        Field<NonNullGraphType<InstantGraphType>>("revealedAt").Resolve(c => c.Source.RevealedAt);
    }
}

/// <summary>One reveal, as an auditor lists them.</summary>
public sealed record ContactReveal(Guid CaseId, string CaseNumber, Actor By, Instant At, string Reason);

public sealed class ContactRevealType : ObjectGraphType<ContactReveal>
{
    public ContactRevealType()
    {
        Name = "ContactReveal";
        Field<NonNullGraphType<IdGraphType>>("caseId").Resolve(c => c.Source.CaseId);
        Field(x => x.CaseNumber);
        Field<NonNullGraphType<ActorType>>("by").Resolve(c => c.Source.By);
        Field<NonNullGraphType<InstantGraphType>>("at").Resolve(c => c.Source.At);
        Field(x => x.Reason);
    }
}

public static class ContactReveals
{
    public const int MaxDays = 366;

    public static void AddContactRevealMutation(this ObjectGraphType mutation)
    {
        var input = new InputObjectGraphType { Name = "RevealCitizenContactInput" };
        input.Field<NonNullGraphType<IdGraphType>>("caseId");
        input.Field<NonNullGraphType<StringGraphType>>("reason").Description("Why you need the contact in full; kept on the case's record.");
        mutation.Field<NonNullGraphType<CitizenContactType>>("revealCitizenContact")
            .Description("Shows one case's citizen contact in full and records who, when and why on the case (CitizenContactRevealed). " +
                         $"For: {string.Join(", ", AccessPolicy.Operations["Mutation.revealCitizenContact"])}.")
            .Argument(new NonNullGraphType(input), "input")
            .ResolveAsync(async context =>
            {
                var actor = context.RequireActor();
                var values = context.GetArgument<Dictionary<string, object?>>("input");
                var caseId = CaseQueries.ParseCaseId((string)values["caseId"]!, "caseId");
                await context.InvokeCommandAsync(new CaseCommandEnvelope(caseId, null, new RevealCitizenContact((string)values["reason"]!), actor));
                return new CitizenContact(await CaseQueries.LoadCase(context, caseId), context.Service<IClock>().GetCurrentInstant());
            });
    }

    public static void AddContactRevealQuery(this ObjectGraphType query) =>
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<ContactRevealType>>>>("contactReveals")
            .Description($"Who was shown a citizen's contact in full, when and why, from `from` (inclusive) to `to` (exclusive), at most {MaxDays} days.")
            .Argument<NonNullGraphType<InstantGraphType>>("from")
            .Argument<NonNullGraphType<InstantGraphType>>("to")
            .ResolveAsync(async context =>
            {
                context.RequireActor();
                var (from, to) = (context.GetArgument<Instant>("from"), context.GetArgument<Instant>("to"));
                if (to <= from || to - from > Duration.FromDays(MaxDays))
                    throw new ValidationFailedException($"to must be after from, at most {MaxDays} days later");
                var session = context.Service<IQuerySession>();
                var (start, end) = (from.ToDateTimeOffset(), to.ToDateTimeOffset());
                var events = await session.Events.QueryAllRawEvents()
                    .Where(e => e.EventTypeName == "citizen_contact_revealed" && e.Timestamp >= start && e.Timestamp < end)
                    .OrderBy(e => e.Sequence).ToListAsync(context.CancellationToken);
                var reveals = events.Select(e => (CitizenContactRevealed)e.Data).ToList();
                var numbers = (await session.LoadManyAsync<CaseView>(context.CancellationToken, reveals.Select(r => r.CaseId).Distinct()))
                    .ToDictionary(v => v.Id, v => v.Number);
                return reveals.Select(r => new ContactReveal(r.CaseId, numbers.GetValueOrDefault(r.CaseId, ""), r.By, r.At, r.Reason)).ToList();
            });
}

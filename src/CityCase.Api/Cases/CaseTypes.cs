using CityCase.Api.Access;
using CityCase.Api.Evidence;
using CityCase.Api.GraphQL;
using CityCase.Api.Lifecycle;
using CityCase.Api.Notices;
using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Engine.Cases;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace CityCase.Api.Cases;

public sealed class CaseStatusType : EnumerationGraphType<CaseStatus>
{
    public CaseStatusType() => Name = "CaseStatus";
}

public sealed class CaseSourceType : EnumerationGraphType<CaseSource>
{
    public CaseSourceType() => Name = "CaseSource";

    /// <summary>OPEN311 as the standard spells its name, not the mechanical OPEN_311.</summary>
    protected override string ChangeEnumCase(string val) => val == nameof(CaseSource.Open311) ? "OPEN311" : base.ChangeEnumCase(val);
}

public sealed class UrgencyType : EnumerationGraphType<Urgency>
{
    public UrgencyType() => Name = "Urgency";
}

public sealed class ActorType : ObjectGraphType<Actor>
{
    public ActorType()
    {
        Name = "Actor";
        Description = "The user who did something, as their token named them.";
        Field(x => x.UserId);
        Field(x => x.Name);
        Field(x => x.Role);
    }
}

public sealed class CitizenType : ObjectGraphType<ShownCitizen>
{
    public CitizenType()
    {
        Name = "Citizen";
        Field(x => x.Name, nullable: true);
        Field(x => x.Phone, nullable: true);
        Field(x => x.Email, nullable: true).Description(AccessPolicy.PersonalData["Citizen.email"]);
        Field(x => x.Erased).Description(AccessPolicy.PersonalData["Citizen.erased"]);
    }
}

/// <summary>A citizen's answer to one of the category's questions (an Open311 attribute).</summary>
public sealed class AttributeAnswerType : ObjectGraphType<CityCase.Domain.Reference.AttributeAnswer>
{
    public AttributeAnswerType()
    {
        Name = "AttributeAnswer";
        Field(x => x.Code).Description("The question's code in the category catalogue.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("values").Resolve(c => c.Source.Values)
            .Description("The value given, or the keys chosen from the question's list.");
    }
}

public sealed class CaseType : ObjectGraphType<CaseView>
{
    public CaseType()
    {
        Name = "Case";
        Description = "A case as it stands now: the read model kept by the case-view projection.";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field(x => x.Number).Description("The human case number: local date and daily sequence.");
        Field<NonNullGraphType<CaseStatusType>>("status").Resolve(c => c.Source.Status);
        Field(x => x.Suspended);
        Field<NonNullGraphType<CaseSourceType>>("source").Resolve(c => c.Source.Source);
        Field(x => x.Description);
        Field<NonNullGraphType<LocationType>>("location").Resolve(c => c.Source.Location);
        Field(x => x.CategoryCode, nullable: true);
        Field<NonNullGraphType<UrgencyType>>("urgency").Resolve(c => c.Source.Urgency);
        Field(x => x.GridCode, nullable: true).Description("The unit grid (单元网格) the location falls in.");
        Field(x => x.CommunityCode, nullable: true);
        Field(x => x.StreetCode, nullable: true);
        Field(x => x.DepartmentCode, nullable: true).Description("The department the case is with, while it is with one.");
        Field<CitizenType>("citizen").Description(AccessPolicy.PersonalData["Case.citizen"])
            .ResolveAsync(async c => await c.CitizenOf(c.Source, c.DisclosureFor(c.Source)));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<CitizenType>>>>("linkedReporters")
            .Description("Reporters of duplicates merged into this case (disclosed as citizen).")
            .ResolveAsync(async c => await c.LinkedReportersOf(c.Source, c.DisclosureFor(c.Source)));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("photoUrls").Resolve(c => c.Source.PhotoUrls);
        Field(x => x.MediaUrl, nullable: true).Description("An Open311 request's link to its media, as the partner gave it.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AttributeAnswerType>>>>("attributes").Resolve(c => c.Source.Attributes)
            .Description("The citizen's answers to the category's questions (Open311 attributes), in the catalogue's order.");
        this.AddAttachmentsField();
        Field<IdGraphType>("mergedInto").Resolve(c => c.Source.MergedInto);
        Field(x => x.DisposalResult, nullable: true);
        Field(x => x.Verified).Description("The last disposal passed verification on site.");
        Field(x => x.PendingExtensionHours, nullable: true).Description("Working hours asked for and awaiting a decision.");
        Field(x => x.ApprovedExtraWorkingHours);
        Field(x => x.Reworks);
        Field(x => x.Returns);
        Field(x => x.Extensions);
        Field(x => x.Supervisions);
        Field(x => x.SensorRepeats);
        Field(x => x.AcceptanceNotified);
        Field(x => x.CompletionNotified);
        this.AddNoticesField();
        Field(x => x.Satisfaction, nullable: true);
        Field(x => x.CitizenErased).Description("The citizen's name and phone were erased (eraseCitizenData, or the retention period).");
        Field<InstantGraphType>("citizenErasedAt").Resolve(c => c.Source.CitizenErasedAt);
        Field<NonNullGraphType<CaseTimelineType>>("timeline").Resolve(c => c.Source.Timeline);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<Sla.ClockNowType>>>>("clocks")
            .Description("The running SLA clocks: due time, working minutes left, light.")
            .Resolve(c => Sla.SlaNow.Clocks(c.Source, c.Service<Domain.Time.BusinessCalendar>(),
                c.Service<NodaTime.IClock>().GetCurrentInstant()));
        Field<NonNullGraphType<ActorType>>("recordedBy").Resolve(c => c.Source.RecordedBy);
        Field<NonNullGraphType<InstantGraphType>>("reportedAt").Resolve(c => c.Source.ReportedAt);
        Field<NonNullGraphType<InstantGraphType>>("updatedAt").Resolve(c => c.Source.UpdatedAt);
        Field(x => x.Version).Description("The stream version; pass it as expectedVersion to guard a command.");
        this.AddLoopFields();
        this.AddWorkFields();
    }
}

public sealed class CaseTimelineType : ObjectGraphType<CaseTimeline>
{
    public CaseTimelineType()
    {
        Name = "CaseTimeline";
        Description = "When each step of the loop last happened.";
        Field<NonNullGraphType<InstantGraphType>>("reportedAt").Resolve(c => c.Source.ReportedAt);
        Field<InstantGraphType>("acceptedAt").Resolve(c => c.Source.AcceptedAt);
        Field<InstantGraphType>("rejectedAt").Resolve(c => c.Source.RejectedAt);
        Field<InstantGraphType>("dispatchedAt").Resolve(c => c.Source.DispatchedAt);
        Field<InstantGraphType>("signedAt").Resolve(c => c.Source.SignedAt);
        Field<InstantGraphType>("disposedAt").Resolve(c => c.Source.DisposedAt);
        Field<InstantGraphType>("verifiedAt").Resolve(c => c.Source.VerifiedAt);
        Field<InstantGraphType>("closedAt").Resolve(c => c.Source.ClosedAt);
        Field<InstantGraphType>("voidedAt").Resolve(c => c.Source.VoidedAt);
        Field<InstantGraphType>("mergedAt").Resolve(c => c.Source.MergedAt);
        Field<InstantGraphType>("suspendedAt").Resolve(c => c.Source.SuspendedAt);
        Field<InstantGraphType>("resumedAt").Resolve(c => c.Source.ResumedAt);
        Field<InstantGraphType>("reopenedAt").Resolve(c => c.Source.ReopenedAt);
    }
}

/// <summary>What every mutation answers: the case after the command.</summary>
public sealed record CasePayload(CaseView Case);

public sealed class CasePayloadType : ObjectGraphType<CasePayload>
{
    public CasePayloadType()
    {
        Name = "CasePayload";
        Field<NonNullGraphType<CaseType>>("case").Resolve(c => c.Source.Case);
    }
}

public static class CaseQueries
{
    public static void AddCaseQueries(this ObjectGraphType query)
    {
        query.Field<CaseType>("case")
            .Description("A case by its id or by its number (give exactly one).")
            .Argument<IdGraphType>("id")
            .Argument<StringGraphType>("number")
            .ResolveAsync(async context =>
            {
                context.RequireActor();
                var id = context.GetArgument<string?>("id");
                var number = context.GetArgument<string?>("number");
                if ((id is null) == (number is null))
                    throw new ValidationFailedException("case needs exactly one of id or number");
                var session = context.Service<IQuerySession>();
                var view = id is not null
                    ? await session.LoadAsync<CaseView>(ParseCaseId(id, "id"), context.CancellationToken)
                    : await session.Query<CaseView>().SingleOrDefaultAsync(x => x.Number == number, context.CancellationToken);
                if (view is not null) context.RequireScope(view);
                return view;
            });
    }

    /// <summary>The case view as it stands after a command (a mutation's answer).</summary>
    public static async Task<CaseView> LoadCase(IResolveFieldContext context, Guid caseId) =>
        await context.Service<IQuerySession>().LoadAsync<CaseView>(caseId, context.CancellationToken)
        ?? throw new DomainException(ErrorCodes.NotFound, $"No case has id {caseId}.");

    public static Guid ParseCaseId(string value, string argument) =>
        Guid.TryParse(value, out var id) && id != Guid.Empty
            ? id
            : throw new ValidationFailedException($"{argument} '{value}' is not a case id (a UUID)");
}

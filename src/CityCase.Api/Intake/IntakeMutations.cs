using CityCase.Api.Cases;
using CityCase.Api.GraphQL;
using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Engine.Cases;
using CityCase.Engine.Intake;
using GraphQL;
using GraphQL.Types;
using Marten;
using Wolverine;

namespace CityCase.Api.Intake;

public sealed class CitizenInput
{
    public string? Name { get; set; }
    public string? Phone { get; set; }
}

public sealed class CitizenInputType : InputObjectGraphType<CitizenInput>
{
    public CitizenInputType()
    {
        Name = "CitizenInput";
        Field(x => x.Name, nullable: true);
        Field(x => x.Phone, nullable: true);
    }
}

public sealed class ReportComplaintInput
{
    public string Description { get; set; } = "";
    public LocationInput Location { get; set; } = new();
    public string? CategoryCode { get; set; }
    public CitizenInput? Citizen { get; set; }
}

public sealed class ReportComplaintInputType : InputObjectGraphType<ReportComplaintInput>
{
    public ReportComplaintInputType()
    {
        Name = "ReportComplaintInput";
        Field(x => x.Description).Description("What the citizen reports, in their words.");
        Field<NonNullGraphType<LocationInputType>>("location");
        Field(x => x.CategoryCode, nullable: true).Description("Major and minor class, 4 digits, if the agent knows it.");
        Field<CitizenInputType>("citizen");
    }
}

public static class IntakeMutations
{
    public static void AddIntakeMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<CasePayloadType>>("reportComplaint")
            .Description("A call-centre agent files a citizen's complaint from the 12345 hotline.")
            .Argument<NonNullGraphType<ReportComplaintInputType>>("input")
            .ResolveAsync(async context =>
            {
                var agent = context.RequireActor(Roles.Agent);
                var input = context.GetArgument<ReportComplaintInput>("input");
                var citizen = input.Citizen is null ? null : new Citizen(input.Citizen.Name, input.Citizen.Phone);
                var filed = await context.Service<IMessageBus>().InvokeAsync<CaseFiled>(
                    new FileComplaint(input.Description, input.Location.ToLocation(), input.CategoryCode, citizen, agent),
                    context.CancellationToken);
                return new CasePayload(await LoadCase(context, filed.CaseId));
            });
    }

    internal static async Task<CaseView> LoadCase(IResolveFieldContext context, Guid caseId) =>
        await context.Service<IQuerySession>().LoadAsync<CaseView>(caseId, context.CancellationToken)
        ?? throw new DomainException(ErrorCodes.NotFound, $"No case has id {caseId}.");
}

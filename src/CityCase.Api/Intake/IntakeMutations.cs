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
    public string? IdempotencyKey { get; set; }
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
        Field(x => x.IdempotencyKey, nullable: true).Description(IdempotencyHelp);
    }

    internal const string IdempotencyHelp =
        "Send the same key again (a retry) and you get the first case back; nothing new is appended.";
}

public sealed class ReportPatrolFindingInput
{
    public string Description { get; set; } = "";
    public LocationInput Location { get; set; } = new();
    public string CategoryCode { get; set; } = "";
    public List<string>? PhotoUrls { get; set; }
    public string? IdempotencyKey { get; set; }
}

public sealed class ReportPatrolFindingInputType : InputObjectGraphType<ReportPatrolFindingInput>
{
    public ReportPatrolFindingInputType()
    {
        Name = "ReportPatrolFindingInput";
        Field(x => x.Description);
        Field<NonNullGraphType<LocationInputType>>("location");
        Field(x => x.CategoryCode);
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("photoUrls");
        Field(x => x.IdempotencyKey, nullable: true).Description(ReportComplaintInputType.IdempotencyHelp);
    }
}

public sealed class RaiseSensorAlarmInput
{
    public string SensorId { get; set; } = "";
    public string AlarmType { get; set; } = "";
    public LocationInput Location { get; set; } = new();
    public string Severity { get; set; } = "";
    public string? IdempotencyKey { get; set; }
}

public sealed class RaiseSensorAlarmInputType : InputObjectGraphType<RaiseSensorAlarmInput>
{
    public RaiseSensorAlarmInputType()
    {
        Name = "RaiseSensorAlarmInput";
        Field(x => x.SensorId);
        Field(x => x.AlarmType);
        Field<NonNullGraphType<LocationInputType>>("location");
        Field(x => x.Severity);
        Field(x => x.IdempotencyKey, nullable: true).Description(ReportComplaintInputType.IdempotencyHelp);
    }
}

public sealed class ClearSensorAlarmInput
{
    public string SensorId { get; set; } = "";
    public string AlarmType { get; set; } = "";
}

public sealed class ClearSensorAlarmInputType : InputObjectGraphType<ClearSensorAlarmInput>
{
    public ClearSensorAlarmInputType()
    {
        Name = "ClearSensorAlarmInput";
        Field(x => x.SensorId);
        Field(x => x.AlarmType);
    }
}

/// <summary>What raiseSensorAlarm answers: the case, and whether the alarm was folded into an open one.</summary>
public sealed record SensorAlarmPayload(CaseView Case, bool Deduplicated);

public sealed class SensorAlarmPayloadType : ObjectGraphType<SensorAlarmPayload>
{
    public SensorAlarmPayloadType()
    {
        Name = "SensorAlarmPayload";
        Field<NonNullGraphType<CaseType>>("case").Resolve(c => c.Source.Case);
        Field(x => x.Deduplicated).Description("True when this alarm repeated one whose case is still open, and was folded into it.");
    }
}

public static class IntakeMutations
{
    public static void AddIntakeMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<CasePayloadType>>("reportComplaint")
            .Description("A call-centre agent files a citizen's complaint from the 12345 hotline. For: agent.")
            .Argument<NonNullGraphType<ReportComplaintInputType>>("input")
            .ResolveAsync(async context =>
            {
                var agent = context.RequireActor();
                var input = context.GetArgument<ReportComplaintInput>("input");
                var citizen = input.Citizen is null ? null : new Citizen(input.Citizen.Name, input.Citizen.Phone);
                var filed = await Send(context, new ReportEnvelope(new ReportComplaint(input.Description, input.Location.ToLocation(),
                    input.CategoryCode, citizen), agent, input.IdempotencyKey));
                return new CasePayload(await CaseQueries.LoadCase(context, filed.CaseId));
            });

        mutation.Field<NonNullGraphType<CasePayloadType>>("reportPatrolFinding")
            .Description("A grid inspector reports a problem found on patrol; it is filed directly. For: inspector.")
            .Argument<NonNullGraphType<ReportPatrolFindingInputType>>("input")
            .ResolveAsync(async context =>
            {
                var inspector = context.RequireActor();
                var input = context.GetArgument<ReportPatrolFindingInput>("input");
                var filed = await Send(context, new ReportEnvelope(new ReportPatrolFinding(input.Description, input.Location.ToLocation(),
                    input.CategoryCode, input.PhotoUrls ?? []), inspector, input.IdempotencyKey));
                return new CasePayload(await CaseQueries.LoadCase(context, filed.CaseId));
            });

        mutation.Field<NonNullGraphType<SensorAlarmPayloadType>>("raiseSensorAlarm")
            .Description("A sensor raises an alarm; a repeat while its case is open is folded into that case. For: device.")
            .Argument<NonNullGraphType<RaiseSensorAlarmInputType>>("input")
            .ResolveAsync(async context =>
            {
                var device = context.RequireActor();
                var input = context.GetArgument<RaiseSensorAlarmInput>("input");
                var filed = await Send(context, new SensorSignalEnvelope(new RaiseSensorAlarm(input.SensorId, input.AlarmType,
                    input.Location.ToLocation(), input.Severity), device, input.IdempotencyKey));
                return new SensorAlarmPayload(await CaseQueries.LoadCase(context, filed.CaseId), filed.Deduplicated);
            });

        mutation.Field<NonNullGraphType<CasePayloadType>>("clearSensorAlarm")
            .Description("A sensor says its alarm is over; recorded on its open case. For: device.")
            .Argument<NonNullGraphType<ClearSensorAlarmInputType>>("input")
            .ResolveAsync(async context =>
            {
                var device = context.RequireActor();
                var input = context.GetArgument<ClearSensorAlarmInput>("input");
                var filed = await Send(context, new SensorSignalEnvelope(new ClearSensorAlarm(input.SensorId, input.AlarmType), device));
                return new CasePayload(await CaseQueries.LoadCase(context, filed.CaseId));
            });
    }

    private static Task<IntakeAnswer> Send(IResolveFieldContext context, object envelope) =>
        context.InvokeCommandAsync<IntakeAnswer>(envelope);
}

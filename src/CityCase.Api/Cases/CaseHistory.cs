using System.Text.Json;
using System.Text.Json.Nodes;
using CityCase.Api.Access;
using CityCase.Api.GraphQL;
using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Engine;
using CityCase.Engine.Privacy;
using GraphQL;
using GraphQL.Types;
using JasperFx.Events;
using Marten;
using NodaTime;

namespace CityCase.Api.Cases;

/// <summary>One recorded event of a case, as an auditor reads it.</summary>
public sealed record CaseHistoryEntry(long Sequence, long Version, string Type, Instant Timestamp, Actor? Actor, string? CorrelationId, string Data);

public sealed class CaseHistoryEntryType : ObjectGraphType<CaseHistoryEntry>
{
    public CaseHistoryEntryType()
    {
        Name = "CaseHistoryEntry";
        Description = "One event of a case's stream, exactly as recorded.";
        Field(x => x.Sequence).Description("The event's position in the whole store.");
        Field(x => x.Version).Description("The event's position in the case's stream, from 1.");
        Field(x => x.Type).Description("The event type, e.g. CaseReported.");
        Field<NonNullGraphType<InstantGraphType>>("timestamp").Resolve(c => c.Source.Timestamp)
            .Description("When the event was committed.");
        Field<ActorType>("actor").Resolve(c => c.Source.Actor).Description("Who did it, as the event records.");
        Field(x => x.CorrelationId, nullable: true)
            .Description("Ties together the events one request appended: the caller's X-Correlation-Id, or the request's trace id.");
        Field(x => x.Data).Description("The event's data as JSON.");
    }
}

public sealed class AuditChainResultType : ObjectGraphType<CityCase.Engine.Audit.AuditChainResult>
{
    public AuditChainResultType()
    {
        Name = "AuditChainResult";
        Field(x => x.Intact);
        Field(x => x.CheckedEvents);
        Field<LongGraphType>("firstBrokenVersion").Resolve(c => c.Source.FirstBrokenVersion);
        Field(x => x.Problem, nullable: true);
    }
}

public static class CaseHistoryQueries
{
    private static readonly JsonSerializerOptions Json = CityCaseEngine.ConfigureJson(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    });

    /// <summary>The case through time: every recorded event, and the case as it stood at any moment.</summary>
    public static void AddCaseHistoryQueries(this ObjectGraphType query)
    {
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<CaseHistoryEntryType>>>>("caseHistory")
            .Description("Every event of a case in order: sequence, version, type, timestamp, actor, data.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async context =>
            {
                var id = CaseQueries.ParseCaseId(context.GetArgument<string>("id"), "id");
                var view = await context.LoadInScope(id) ?? throw new DomainException(ErrorCodes.NotFound, $"No case has id {id}.");
                var events = await context.Service<IQuerySession>().Events.FetchStreamAsync(id, token: context.CancellationToken);
                var disclosure = context.DisclosureFor(view);
                var opened = disclosure == Disclosure.Absent
                    ? new Dictionary<SealedCitizen, CitizenReading>()
                    : await context.Service<CitizenVault>().OpenManyAsync(events.Select(e => SealedIn(e.Data)).OfType<SealedCitizen>(),
                        context.CancellationToken);
                return events.Select(e => ToEntry(e, s => CaseAccess.Disclose(s is null ? null : opened.GetValueOrDefault(s), disclosure))).ToList();
            });

        query.Field<CaseType>("caseAsOf")
            .Description("The case as it stood at that moment, replayed from its events (time travel); null before it was reported.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<InstantGraphType>>("at")
            .ResolveAsync(async context =>
            {
                var id = CaseQueries.ParseCaseId(context.GetArgument<string>("id"), "id");
                if (await context.LoadInScope(id) is null) return null;
                var at = context.GetArgument<Instant>("at");
                return await context.Service<IQuerySession>().Events.AggregateStreamAsync<CityCase.Engine.Cases.CaseView>(
                    id, timestamp: at.ToDateTimeOffset(), token: context.CancellationToken);
            });
    }

    /// <summary>Tamper evidence: the case's events re-hashed against the chain written when they were appended.</summary>
    public static void AddAuditChainQuery(this ObjectGraphType query)
    {
        query.Field<AuditChainResultType>("auditChain")
            .Description("Whether the case's recorded history is intact: every event re-hashed and checked against its chain.")
            .Argument<NonNullGraphType<IdGraphType>>("caseId")
            .ResolveAsync(async context =>
            {
                context.RequireActor();
                var id = CaseQueries.ParseCaseId(context.GetArgument<string>("caseId"), "caseId");
                return await context.Service<CityCase.Engine.Audit.AuditChain>().VerifyAsync(id, context.CancellationToken)
                       ?? throw new DomainException(ErrorCodes.NotFound, $"No case has id {id}.");
            });
    }

    /// <summary>The field of an event that holds a sealed citizen, and the citizen (the reporter of a merged duplicate is sealed under that case's key).</summary>
    private static (string Field, SealedCitizen? Citizen)? CitizenField(object data) => data switch
    {
        CaseReported r => ("reportedBy", r.ReportedBy),
        DuplicateMerged d => ("reporter", d.Reporter),
        _ => null,
    };

    private static SealedCitizen? SealedIn(object data) => CitizenField(data)?.Citizen;

    /// <summary>
    /// One event as recorded, with the sealed citizen in it replaced by what the reader may see of it
    /// (<paramref name="disclose"/>): in full, masked, <c>{"erased": true}</c> once its key is gone, or null.
    /// </summary>
    public static CaseHistoryEntry ToEntry(IEvent e, Func<SealedCitizen?, ShownCitizen?> disclose)
    {
        var data = JsonSerializer.SerializeToNode(e.Data, e.EventType, Json)!;
        if (CitizenField(e.Data) is { } found)
            data[found.Field] = (found.Citizen is null ? null : disclose(found.Citizen)) switch
            {
                null => null,
                { Erased: true } => new JsonObject { ["erased"] = true },
                var shown => new JsonObject { ["name"] = shown.Name, ["phone"] = shown.Phone }, // the shape history always had
            };
        return new(e.Sequence, e.Version, e.EventType.Name, Instant.FromDateTimeOffset(e.Timestamp),
            (e.Data as ICaseEvent)?.By, e.CorrelationId, data.ToJsonString(Json));
    }
}

using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Time;
using CityCase.Engine.Sla;
using JasperFx.Events;
using Marten;
using NodaTime;
using Wolverine.Marten;

namespace CityCase.Engine.Lifecycle;

/// <summary>
/// One command on one existing case, as it arrives from GraphQL: which case, the version the client
/// saw (optional), what to do and who asks.
/// </summary>
public sealed record CaseCommandEnvelope(Guid CaseId, int? ExpectedVersion, CaseCommand Command, Actor Actor);

/// <summary>What a command on a case answers: the stream version after it.</summary>
public sealed record CaseCommandResult(Guid CaseId, long Version);

/// <summary>
/// The aggregate handler workflow: Wolverine loads the case stream with FetchForWriting (optimistic
/// concurrency), the pure decider decides, the events are appended to the stream, and Marten commits
/// them together with the inline case view in one transaction.
/// </summary>
public static class CaseCommandHandler
{
    public static async Task<CaseCommandResult> Handle(
        CaseCommandEnvelope envelope,
        [WriteAggregate(Required = false)] IEventStream<Case> stream,
        IDocumentSession session,
        ICaseRules rules,
        SlaPolicy sla,
        IClock clock,
        CancellationToken ct)
    {
        var state = stream.Aggregate ?? throw NotFound(envelope.CaseId);
        if (envelope.ExpectedVersion is { } expected && expected != stream.CurrentVersion)
            throw new DomainException(ErrorCodes.ConcurrencyConflict,
                $"case {state.Number} is at version {stream.CurrentVersion}, not {expected}: someone changed it; reload and try again");
        var now = clock.GetCurrentInstant();

        if (envelope.Command is MergeCase merge)
        {
            // The one command that writes two streams: both are fetched for writing, so a concurrent
            // change to either makes the whole merge fail and nothing is appended.
            var original = await session.Events.FetchForWriting<Case>(merge.IntoCaseId, ct);
            var (onDuplicate, onOriginal) = CaseDecider.DecideMerge(
                state, original.Aggregate ?? throw NotFound(merge.IntoCaseId), envelope.Actor, now);
            IReadOnlyList<object> merged = [onDuplicate, .. CaseClocks.Follow(state, [onDuplicate], sla, now)];
            stream.AppendMany(merged);
            original.AppendOne(onOriginal);
            return new CaseCommandResult(envelope.CaseId, (stream.CurrentVersion ?? 0) + merged.Count);
        }

        IReadOnlyList<object> events = envelope.Command is RecordSlaLight light
            ? CaseClocks.DecideLight(state, light.Clock, light.Light, now)
            : CaseDecider.Decide(state, envelope.Command, envelope.Actor, now, rules);
        events = [.. events, .. CaseClocks.Follow(state, events, sla, now)];
        stream.AppendMany(events);
        return new CaseCommandResult(envelope.CaseId, (stream.CurrentVersion ?? 0) + events.Count);
    }

    private static DomainException NotFound(Guid caseId) => new(ErrorCodes.NotFound, $"No case has id {caseId}.");
}

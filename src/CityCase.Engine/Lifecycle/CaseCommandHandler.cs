using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Time;
using JasperFx.Events;
using CityCase.Domain.Notices;
using CityCase.Engine.Notices;
using CityCase.Engine.Privacy;
using CityCase.Engine.Sla;
using Marten;
using NodaTime;
using Wolverine;
using Wolverine.Marten;

namespace CityCase.Engine.Lifecycle;

/// <summary>
/// One command on one existing case, as it arrives from GraphQL: which case, the version the client
/// saw (optional), what to do and who asks.
/// </summary>
public sealed record CaseCommandEnvelope(Guid CaseId, int? ExpectedVersion, CaseCommand Command, Actor Actor);

/// <summary>Fold the duplicate <paramref name="CaseId"/> into the open case <paramref name="IntoCaseId"/> (合并).</summary>
public sealed record MergeCaseEnvelope(Guid CaseId, Guid IntoCaseId, int? ExpectedVersion, Actor Actor);

/// <summary>
/// The aggregate handler workflow: Wolverine loads the case stream with FetchForWriting (optimistic
/// concurrency), the pure decider decides and its clocks follow, the events are appended to the stream, and
/// Marten commits them together with the inline case view in one transaction.
/// </summary>
public static class CaseCommandHandler
{
    public static OutgoingMessages Handle(
        CaseCommandEnvelope envelope,
        [WriteAggregate(Required = false)] IEventStream<Case> stream,
        IDocumentSession session,
        ICaseRules rules,
        CityCalendar calendar,
        NoticePolicy notices,
        IClock clock)
    {
        var state = Existing(stream, envelope.CaseId, envelope.ExpectedVersion);
        var events = CaseDecider.DecideAndFollow(state, envelope.Command, envelope.Actor, clock.GetCurrentInstant(), rules, calendar.Sla, notices);
        stream.AppendMany(events);
        // The decider records the erasure; destroying the key in the same transaction is what erases.
        if (events.Any(e => e is CitizenDataErased)) session.Delete<CitizenKey>(envelope.CaseId);
        // Queued notices go out through the durable outbox, committed with their events (see CitizenNoticeHandler).
        return [.. events.OfType<CitizenNoticeQueued>().Select(n => new DeliverCitizenNotice(n.CaseId, n.NoticeId, n.Kind))];
    }

    /// <summary>
    /// The one command that writes two streams: both are fetched for writing, so a concurrent change to either
    /// makes the whole merge fail and nothing is appended. Each stream's events come from the same decider.
    /// </summary>
    public static async Task Handle(
        MergeCaseEnvelope envelope,
        [WriteAggregate(Required = false)] IEventStream<Case> stream,
        IDocumentSession session,
        ICaseRules rules,
        CityCalendar calendar,
        IClock clock,
        CancellationToken ct)
    {
        var duplicate = Existing(stream, envelope.CaseId, envelope.ExpectedVersion);
        var into = await session.Events.FetchForWriting<Case>(envelope.IntoCaseId, ct);
        var original = into.Aggregate ?? throw NotFound(envelope.IntoCaseId);
        var now = clock.GetCurrentInstant();
        stream.AppendMany(CaseDecider.DecideAndFollow(duplicate, new MergeCase(original), envelope.Actor, now, rules, calendar.Sla));
        into.AppendMany(CaseDecider.DecideAndFollow(original, new RecordMergedDuplicate(duplicate), envelope.Actor, now, rules, calendar.Sla));
    }

    private static Case Existing(IEventStream<Case> stream, Guid caseId, int? expectedVersion)
    {
        var state = stream.Aggregate ?? throw NotFound(caseId);
        if (expectedVersion is { } expected && expected != stream.CurrentVersion)
            throw new DomainException(ErrorCodes.ConcurrencyConflict,
                $"case {state.Number} is at version {stream.CurrentVersion}, not {expected}: someone changed it; reload and try again");
        return state;
    }

    private static DomainException NotFound(Guid caseId) => new(ErrorCodes.NotFound, $"No case has id {caseId}.");
}

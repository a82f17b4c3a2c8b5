using CityCase.Domain.Cases;
using CityCase.Domain.Time;
using JasperFx;
using JasperFx.Events;
using Marten;
using NodaTime;
using Wolverine.ErrorHandling;
using Wolverine.Marten;
using Wolverine.Runtime.Handlers;

namespace CityCase.Engine.Sla;

/// <summary>
/// The lights the timekeeper found due on one case (one level per clock), handed to the durable local queue
/// <see cref="SlaLightQueue.Name"/>: once accepted they are in PostgreSQL (Wolverine's inbox), so if the node dies
/// before handling them another node does. One message per case, so that the queue's parallel handlers do not race
/// each other on one stream.
/// </summary>
public sealed record DueSlaLights(Guid CaseId, IReadOnlyList<DueLight> Lights);

public sealed record DueLight(ClockKind Clock, Light Light);

public static class SlaLightQueue
{
    public const string Name = "sla-lights";
}

/// <summary>
/// Records the light through the case's own stream, like any command: the decider records it only if the clock
/// still runs and that level is not on record, so a repeat (a second node, a recovered inbox) appends nothing.
/// </summary>
public static class DueSlaLightsHandler
{
    /// <summary>
    /// A light that loses a race with another change of its case (or with the same light from another node) is
    /// tried again on the new version; after that the next timekeeper pass finds the timer still due.
    /// </summary>
    public static void Configure(HandlerChain chain) =>
        chain.OnException(e => e is ConcurrencyException or EventStreamUnexpectedMaxEventIdException)
            .RetryWithCooldown(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500))
            .Then.Discard();

    public static void Handle(
        DueSlaLights due,
        [WriteAggregate(Required = false)] IEventStream<Case> stream,
        ICaseRules rules,
        CityCalendar calendar,
        IClock clock)
    {
        if (stream.Aggregate is not { } state) return; // a timer always belongs to a case; nothing to do otherwise
        var now = clock.GetCurrentInstant();
        // Each light is on a clock of its own, so each is decided against the same state.
        foreach (var light in due.Lights)
            stream.AppendMany(CaseDecider.DecideAndFollow(state, new RecordSlaLight(light.Clock, light.Light), CaseClocks.Timekeeper,
                now, rules, calendar.Sla));
    }
}

using CityCase.Domain.Cases;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;

namespace CityCase.Engine.Live;

/// <summary>
/// Rings every node's <see cref="CaseChangeFeed"/> when cases have changed: a Marten subscription, so the daemon runs
/// it on exactly one node and in the order of the events, behind the high-water mark (no event still in flight below
/// it). The bell carries only the sequence the events are complete up to; each node reads the events itself.
/// </summary>
public sealed class CaseChangeDoorbell : SubscriptionBase
{
    public const string SubscriptionName = "CaseChangeDoorbell";

    private readonly string _channel;

    public CaseChangeDoorbell(string channel)
    {
        _channel = channel;
        Name = SubscriptionName;
    }

    public override Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken cancellationToken)
    {
        // Queued into the transaction that records the doorbell's progress: PostgreSQL delivers it at that commit,
        // and never for a page whose progress was not recorded.
        if (page.Events.Any(e => e.Data is ICaseEvent))
            operations.QueueSqlCommand("select pg_notify(?, ?)", _channel, page.SequenceCeiling.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Task.FromResult(NullChangeListener.Instance);
    }
}

using JasperFx.Events.Projections;
using Marten;

namespace CityCase.Engine.Live;

public static class LiveConfiguration
{
    /// <summary>The channel the doorbell rings on: one per city schema, so that two cities on one server do not cross.</summary>
    public static string ChannelFor(string schema) => $"{schema}_case_changes";

    /// <summary>
    /// Live subscriptions on every node: the doorbell subscription (on one node) and the daemon woken by PostgreSQL
    /// NOTIFY when events are appended, so that a change reaches every node's subscribers within a fraction of a second.
    /// </summary>
    public static StoreOptions AddLiveFeed(this StoreOptions opts, string schema)
    {
        opts.Events.UseListenNotifyForEventAppends = true;
        // A new database starts ringing from its present: nodes read the events themselves, from their own cursor.
        opts.Events.Subscribe(new CaseChangeDoorbell(ChannelFor(schema)), o => o.Options.SubscribeFromFirstRun());
        return opts;
    }
}

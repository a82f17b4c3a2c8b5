using JasperFx.Events.Projections;
using Marten;

namespace CityCase.Engine.Live;

public static class LiveConfiguration
{
    /// <summary>The channel the doorbell rings on: one per city schema, so that two cities on one server do not cross.</summary>
    public static string ChannelFor(string schema) => $"{schema}_case_changes";

    /// <summary>
    /// Live subscriptions on every node: the doorbell subscription, run by the daemon on one node. The daemon finds new
    /// events by its fast poll (AssessmentConfiguration), not by Marten's NOTIFY at each append: PostgreSQL serialises
    /// the commits of transactions that NOTIFY, which cut pgbench's commit rate 3-5 fold at 16 clients here.
    /// </summary>
    public static StoreOptions AddLiveFeed(this StoreOptions opts, string schema)
    {
        // A new database starts ringing from its present: nodes read the events themselves, from their own cursor.
        opts.Events.Subscribe(new CaseChangeDoorbell(ChannelFor(schema)), o => o.Options.SubscribeFromFirstRun());
        return opts;
    }
}

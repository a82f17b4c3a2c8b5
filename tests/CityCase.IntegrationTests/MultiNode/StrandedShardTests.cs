using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.MultiNode;

/// <summary>
/// A projection shard whose progress another process moved under it (what two nodes racing after a failover do) stops,
/// and runs again: the stopped agent is handed back to the coordinator, which starts it where the progress stands.
/// </summary>
public sealed class StrandedShardTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private const string Progress = "select last_seq_id from citycase.mt_event_progression where name = 'Scorecards:All'";

    [Fact]
    public async Task A_shard_stopped_by_a_progress_race_catches_up_again()
    {
        var client = new CaseClient(server);
        await client.Report("Street lamp out before the race");
        await server.WaitForProjectionsAsync();

        // Another "node" moves the scorecards' recorded progress back by one: this node's next update is refused.
        var before = await TestPostgres.ScalarAsync(server.ConnectionString, Progress);
        await TestPostgres.ScalarAsync(server.ConnectionString,
            $"update citycase.mt_event_progression set last_seq_id = last_seq_id - 1 where name = 'Scorecards:All' returning last_seq_id");
        await client.Report("Street lamp out after the race");
        var newest = await TestPostgres.ScalarAsync(server.ConnectionString, "select max(seq_id) from citycase.mt_events");
        Assert.True(newest > before);

        await Eventually.WaitUntil(async () => await TestPostgres.ScalarAsync(server.ConnectionString, Progress) >= newest,
            TimeSpan.FromSeconds(20), "the scorecards catching up after their progress was moved under them");
    }
}

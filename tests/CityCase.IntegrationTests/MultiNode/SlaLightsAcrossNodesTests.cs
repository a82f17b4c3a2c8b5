using System.Diagnostics;
using CityCase.IntegrationTests.Hosting;
using CityCase.IntegrationTests.Infrastructure;
using NodaTime;
using NodaTime.Testing;
using Npgsql;

namespace CityCase.IntegrationTests.MultiNode;

/// <summary>
/// SLA lights on several nodes: a node is killed (SIGKILL) while it works through hundreds of due lights, and every
/// clock still gets exactly one yellow and one red. The lights it had accepted into its durable queue but not handled
/// are finished by the surviving node from the dead node's inbox in PostgreSQL.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class SlaLightsAcrossNodesTests
{
    private const int Cases = 100;

    [Fact]
    public async Task Timers_due_while_a_node_is_killed_fire_exactly_once()
    {
        var database = await TestPostgres.CreateDatabaseAsync("slanodes");

        // Filed on a past working morning (the survivor's FakeClock), then the clock is set to the real time: every
        // light of every clock is long due, so the two levels of each clock come due on two passes, all at once. The
        // survivor runs no timekeeper of its own until the end: what it records before then comes from the dead
        // node's inbox.
        var clock = new FakeClock(Instant.FromUtc(2026, 11, 3, 1, 0));
        var survivor = new CityCaseServer { SharedDatabase = database, Clock = clock, Arguments = ["--Sla:PollSeconds", "0"] };
        await survivor.InitializeAsync();
        await using var _ = new Finally(survivor.DisposeAsync);
        var client = new CaseClient(survivor);
        for (var batch = 0; batch < Cases / 10; batch++)
            await Task.WhenAll(Enumerable.Range(0, 10).Select(i => client.Report($"Lamp out {batch * 10 + i}")));
        clock.Reset(SystemClock.Instance.GetCurrentInstant());
        var clocks = await TestPostgres.ScalarAsync(database, "select count(*) from citycase.mt_events where type = 'clock_started'");
        Assert.True(clocks >= Cases, $"{clocks} clocks started");

        var workingDirectory = Directory.CreateTempSubdirectory("citycase-sla-nodes-").FullName;
        var doomed = new ServerProcess(workingDirectory, new Dictionary<string, string?> { ["ConnectionStrings__Marten"] = database },
            "--urls", "http://127.0.0.1:0", "--Sla:PollSeconds", "1");
        var killed = false;
        try
        {
            var ready = await doomed.WaitForLine(l => l.Contains("CityCase is ready:"), TimeSpan.FromSeconds(120));
            Assert.True(ready is not null, doomed.Output);

            // Kill it as soon as it has recorded its first lights, in the middle of its work.
            await Eventually.WaitUntil(async () => await Lights(database) > 0, TimeSpan.FromSeconds(30), "the first lights", pollMilliseconds: 50);
            await doomed.DisposeAsync();
            killed = true;
            var watch = Stopwatch.StartNew();
            var atKill = await Lights(database);
            var pending = await TestPostgres.ScalarAsync(database, "select count(*) from citycase.wolverine_incoming_envelopes where status = 'Incoming'");
            Assert.True(pending > 0, "the killed node had no accepted light left to finish: nothing to show");

            // The survivor takes over the dead node's inbox and handles what it had accepted.
            await Eventually.WaitUntil(async () => await TestPostgres.ScalarAsync(database,
                "select count(*) from citycase.wolverine_incoming_envelopes where status = 'Incoming'") == 0,
                TimeSpan.FromSeconds(45), "the dead node's inbox being finished", pollMilliseconds: 50);
            var recovered = await Lights(database) - atKill;
            Console.WriteLine($"SLA lights across nodes: {atKill} lights recorded before the kill, {pending} messages (a case's due lights each) " +
                              $"accepted but not handled; the survivor recorded {recovered} of them from the dead node's inbox {watch.Elapsed.TotalSeconds:0.0} s after the kill");
            Assert.True(recovered > 0);

            // Then its own timekeeper does the rest (the red lights come due once yellow is on record).
            for (var pass = 0; pass < 4 && await survivor.RunTimekeeperOnceAsync() > 0; pass++) { }
            Assert.Equal(0, await survivor.RunTimekeeperOnceAsync());

            // Every clock: exactly one yellow and one red, none missing, none doubled.
            var wrong = await TestPostgres.ScalarAsync(database, """
                select count(*) from (
                  select c.stream_id, c.data->>'clock' as clock,
                         count(l.seq_id) filter (where l.data->>'light' = 'Yellow') as yellow,
                         count(l.seq_id) filter (where l.data->>'light' = 'Red') as red
                  from citycase.mt_events c
                  left join citycase.mt_events l on l.stream_id = c.stream_id and l.type = 'sla_light_changed' and l.data->>'clock' = c.data->>'clock'
                  where c.type = 'clock_started'
                  group by c.stream_id, c.data->>'clock') per_clock
                where yellow <> 1 or red <> 1
                """);
            Assert.Equal(0, wrong);
            Assert.Equal(2 * clocks, await Lights(database));
        }
        finally
        {
            if (!killed) await doomed.DisposeAsync();
            try { Directory.Delete(workingDirectory, recursive: true); } catch (IOException) { }
        }
    }

    private static Task<long> Lights(string database) =>
        TestPostgres.ScalarAsync(database, "select count(*) from citycase.mt_events where type = 'sla_light_changed'");


    private sealed class Finally(Func<Task> action) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await action();
    }
}

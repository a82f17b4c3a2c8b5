using System.Diagnostics;
using System.Text.RegularExpressions;
using CityCase.IntegrationTests.Hosting;
using CityCase.IntegrationTests.Infrastructure;
using Marten;
using Marten.Events.Daemon.Coordination;
using CityCase.Engine;
using Microsoft.Extensions.DependencyInjection;
using Wolverine.Runtime;

namespace CityCase.IntegrationTests.MultiNode;

/// <summary>
/// Two API nodes on one PostgreSQL, started the same way: the async projections (the scorecards) run on exactly
/// one of them, and when that node goes the other takes them over and catches up.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class ProjectionFailoverTests
{
    /// <summary>The projection and subscription shards running on this node, as the daemon mode in force sees them.</summary>
    private static Task<IReadOnlySet<string>> RunningShards(CityCaseServer node) =>
        Task.FromResult<IReadOnlySet<string>>((node.Services.GetRequiredService<CityCase.Engine.CitySettings>().ProjectionDaemon == ProjectionDaemonMode.Wolverine
            ? node.Services.GetRequiredService<IWolverineRuntime>().Agents.AllRunningAgentUris().Where(u => u.Scheme == "event-subscriptions")
                .Select(u => u.ToString())
            : node.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase().CurrentAgents()
                .Select(a => a.Name.Identity)).ToHashSet());

    private static async Task<int> RunningAgents(CityCaseServer node) => (await RunningShards(node)).Count;

    /// <summary>The scorecards and the live feed's doorbell.</summary>
    private const int Shards = 2;

    [Theory]
    [InlineData("HotCold")]
    [InlineData("Wolverine")]
    public async Task The_projections_run_on_one_node_and_move_to_the_other_when_it_stops(string mode)
    {
        string[] arguments = ["--City:ProjectionDaemon", mode];
        var first = new CityCaseServer { Arguments = arguments };
        await first.InitializeAsync();
        var second = new CityCaseServer { SharedDatabase = first.ConnectionString, Arguments = arguments };
        try
        {
            await Eventually.WaitUntil(async () => await RunningAgents(first) > 0, TimeSpan.FromSeconds(30), "the first node leading");
            await second.InitializeAsync();
            var client = new CaseClient(second);
            await client.Report("Filed on the second node while the first leads");
            await first.WaitForProjectionsAsync();

            // No shard ever runs on both nodes. HotCold runs them all on the leader; Wolverine's leader may spread them,
            // and while it moves one it runs nowhere for a moment.
            await Eventually.WaitUntil(async () => (await RunningAgents(first)) + (await RunningAgents(second)) == Shards, TimeSpan.FromSeconds(30), "every shard running");
            for (var i = 0; i < 10; i++, await Task.Delay(200))
            {
                var (onFirst, onSecond) = (await RunningShards(first), await RunningShards(second));
                var where = $"first runs [{string.Join(", ", onFirst)}], second runs [{string.Join(", ", onSecond)}]";
                Assert.False(onFirst.Overlaps(onSecond), where);
                if (mode == "HotCold") Assert.True(onFirst.Count == Shards && onSecond.Count == 0, where);
            }

            var stopped = Stopwatch.StartNew();
            await first.DisposeAsync();
            await client.Report("Filed after the leader went");
            await Eventually.WaitUntil(async () => await RunningAgents(second) == Shards, TimeSpan.FromSeconds(30), "the second node taking over");
            await second.WaitForProjectionsAsync();
            var tookOver = stopped.Elapsed;

            var buckets = await second.Services.GetRequiredService<IDocumentStore>().QuerySession()
                .Query<CityCase.Engine.Assessment.ScoreBucket>().Where(b => b.Kind == CityCase.Domain.Assessment.BucketKind.HotspotGrid).ToListAsync();
            Assert.Equal(2, buckets.Sum(b => b.Counts.Reported));
            Assert.True(tookOver < TimeSpan.FromSeconds(30), $"took over in {tookOver.TotalSeconds:0.0} s");
            Console.WriteLine($"Projection failover ({mode}): the second node caught up {tookOver.TotalSeconds:0.0} s after the leader stopped");
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("HotCold")]
    [InlineData("Wolverine")]
    public async Task When_the_leading_node_process_is_killed_the_other_takes_over_while_cases_are_filed(string mode)
    {
        var database = await TestPostgres.CreateDatabaseAsync("failover");
        var workingDirectory = Directory.CreateTempSubdirectory("citycase-nodes-").FullName;
        var environment = new Dictionary<string, string?> { ["ConnectionStrings__Marten"] = database, ["City__ProjectionDaemon"] = mode };
        var token = CityCaseServer.Token("agent", "alice");

        Task<(ServerProcess Node, HttpClient Http)> Start() => ServerProcess.StartNodeAsync(workingDirectory, environment);

        async Task Report(HttpClient http, string description)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
            {
                Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new
                {
                    query = Samples.ReportComplaint, variables = Samples.Complaint(description),
                }), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", token);
            var response = await (await http.SendAsync(request)).Content.ReadAsStringAsync();
            Assert.DoesNotContain("errors", response);
        }

        async Task<bool> CaughtUp(HttpClient http) =>
            (await http.GetStringAsync("/health/ready")).Contains("projections are 0 events behind");

        var (first, firstHttp) = await Start();
        ServerProcess? second = null;
        try
        {
            await Report(firstHttp, "Filed while the first node is alone");
            await Eventually.WaitUntil(() => CaughtUp(firstHttp), TimeSpan.FromSeconds(30), "the first node running the projections");
            (second, var secondHttp) = await Start();
            // The node that runs the scorecards is the one killed: under HotCold the first (it holds the lock); under
            // Wolverine, whichever node its leader assigned the shard to (it may move it to the newcomer).
            var leaderIsFirst = true;
            if (mode == "Wolverine")
            {
                await using var connection = new Npgsql.NpgsqlConnection(database);
                await connection.OpenAsync();
                await using var runsOn = new Npgsql.NpgsqlCommand("""
                    select n.node_number from citycase.wolverine_node_assignments a join citycase.wolverine_nodes n on n.id = a.node_id
                    where a.id like 'event-subscriptions://%/scorecards/%'
                    """, connection);
                // Assignments are made by Wolverine's leader every few seconds: wait for the scorecards' to be there.
                object? node = null;
                await Eventually.WaitUntil(async () => (node = await runsOn.ExecuteScalarAsync()) is int, TimeSpan.FromSeconds(30),
                    "the scorecards' shard being assigned");
                leaderIsFirst = (int)node! == 1;
            }
            var (leader, survivor, survivorHttp) = leaderIsFirst ? (first, second, secondHttp) : (second, first, firstHttp);

            // Cases are filed on the survivor before, during and after the leader's kill.
            var filing = Task.Run(async () =>
            {
                for (var i = 0; i < 20; i++) await Report(survivorHttp, $"Filed around the leader's kill ({i})");
            });
            await Task.Delay(500);
            var killed = Stopwatch.StartNew();
            await leader.DisposeAsync(); // SIGKILL: no graceful release of anything
            await filing;
            await Eventually.WaitUntil(() => CaughtUp(survivorHttp), TimeSpan.FromSeconds(60), "the survivor catching up");
            Console.WriteLine($"Projection failover ({mode}) after kill -9: caught up {killed.Elapsed.TotalSeconds:0.0} s after the kill");
            Assert.True(killed.Elapsed < TimeSpan.FromSeconds(60));
            await survivor.StopAsync(TimeSpan.FromSeconds(60));

            // What the survivor built on top of what the killed node had built equals a rebuild from the events.
            await ReadModels.AssertEqualToRebuildAsync(database);
        }
        finally
        {
            await first.DisposeAsync(); // SIGKILL again is harmless
            if (second is not null) await second.DisposeAsync();
            try { Directory.Delete(workingDirectory, recursive: true); } catch (IOException) { }
        }
    }
}

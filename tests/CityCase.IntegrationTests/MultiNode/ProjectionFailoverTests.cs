using System.Diagnostics;
using CityCase.IntegrationTests.Infrastructure;
using Marten;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;

namespace CityCase.IntegrationTests.MultiNode;

/// <summary>
/// Two API nodes on one PostgreSQL, started the same way: the async projections (the scorecards) run on exactly
/// one of them, and when that node goes the other takes them over and catches up.
/// </summary>
public sealed class ProjectionFailoverTests
{
    private static Task<int> RunningAgents(CityCaseServer node) =>
        Task.FromResult(node.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase().CurrentAgents().Count);

    private static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > timeout) throw new Xunit.Sdk.XunitException($"{what} did not happen within {timeout.TotalSeconds} s");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task The_projections_run_on_one_node_and_move_to_the_other_when_it_stops()
    {
        var first = new CityCaseServer();
        await first.InitializeAsync();
        var second = new CityCaseServer { SharedDatabase = first.ConnectionString };
        try
        {
            await WaitUntil(async () => await RunningAgents(first) > 0, TimeSpan.FromSeconds(30), "the first node leading");
            await second.InitializeAsync();
            var client = new CaseClient(second);
            await client.Report("Filed on the second node while the first leads");
            await first.WaitForProjectionsAsync();

            // Exactly one node runs them, for a while.
            for (var i = 0; i < 5; i++, await Task.Delay(400))
                Assert.Equal((true, 0), (await RunningAgents(first) > 0, await RunningAgents(second)));

            var stopped = Stopwatch.StartNew();
            await first.DisposeAsync();
            await client.Report("Filed after the leader went");
            await WaitUntil(async () => await RunningAgents(second) > 0, TimeSpan.FromSeconds(30), "the second node taking over");
            await second.WaitForProjectionsAsync();
            var tookOver = stopped.Elapsed;

            var buckets = await second.Services.GetRequiredService<IDocumentStore>().QuerySession()
                .Query<CityCase.Engine.Assessment.ScoreBucket>().Where(b => b.Kind == CityCase.Domain.Assessment.BucketKind.HotspotGrid).ToListAsync();
            Assert.Equal(2, buckets.Sum(b => b.Counts.Reported));
            Assert.True(tookOver < TimeSpan.FromSeconds(30), $"took over in {tookOver.TotalSeconds:0.0} s");
            Console.WriteLine($"Projection failover: the second node caught up {tookOver.TotalSeconds:0.0} s after the leader stopped");
        }
        finally
        {
            await second.DisposeAsync();
        }
    }
}

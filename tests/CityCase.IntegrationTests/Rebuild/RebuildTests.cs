using CityCase.IntegrationTests.Infrastructure;
using NodaTime.Testing;

namespace CityCase.IntegrationTests.Rebuild;

/// <summary>The <c>rebuild</c> verb, run as a real process, gives back exactly the read models the live projections built.</summary>
public sealed class RebuildTests
{
    [Fact]
    public async Task Rebuilding_after_a_busy_day_gives_back_identical_read_models()
    {
        var clock = new FakeClock(BusyDay.Start);
        var server = CityCaseServer.OnClock(clock);
        await server.InitializeAsync();
        Dictionary<string, List<string>> before;
        try
        {
            await new BusyDay(server, clock).PlayAsync(cases: 44);
            await server.WaitForProjectionsAsync();
            before = await ReadModels.SnapshotAsync(server.ConnectionString);
        }
        finally
        {
            await server.DisposeAsync();
        }
        Assert.True(before["mt_doc_caseview"].Count >= 44, $"{before["mt_doc_caseview"].Count} case views");
        Assert.NotEmpty(before["mt_doc_scorebucket"]);
        Assert.NotEmpty(before["mt_doc_slatimer"]);

        // Lose the read models, then rebuild them from the events alone.
        var stdout = await ReadModels.DeleteAndRebuildAsync(server.ConnectionString);

        Assert.Contains("Scorecards", stdout);
        Assert.Matches(@"Rebuilt [\d,]+ events into 3 read models in [\d.]+ s", stdout);
        var after = await ReadModels.SnapshotAsync(server.ConnectionString);
        foreach (var table in ReadModels.Tables)
            Assert.Equal(before[table], after[table]);

        // A server started after the rebuild carries on from its last event: the cases filed now are counted once,
        // none before them twice (a daemon that started over would double every bucket, one that skipped would miss them).
        var next = new CityCaseServer { Clock = clock, SharedDatabase = server.ConnectionString, Arguments = ["--Sla:PollSeconds", "0"] };
        await next.InitializeAsync();
        try
        {
            await new BusyDay(next, clock).PlayAsync(cases: 11);
            await next.WaitForProjectionsAsync();
        }
        finally
        {
            await next.DisposeAsync();
        }
        await ReadModels.AssertEqualToRebuildAsync(server.ConnectionString);
    }
}

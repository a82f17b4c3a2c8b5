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
    }
}

using CityCase.IntegrationTests.Hosting;
using CityCase.IntegrationTests.Infrastructure;
using NodaTime.Testing;
using Npgsql;

namespace CityCase.IntegrationTests.Rebuild;

/// <summary>The <c>rebuild</c> verb, run as a real process, gives back exactly the read models the live projections built.</summary>
public sealed class RebuildTests
{
    /// <summary>Every read model's table: the case views, SLA timers, per-case assessments and scorecard buckets.</summary>
    private static readonly string[] ReadModelTables = ["mt_doc_caseview", "mt_doc_slatimer", "mt_doc_caseassessment", "mt_doc_scorebucket"];

    private static async Task<Dictionary<string, List<string>>> Snapshot(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var snapshot = new Dictionary<string, List<string>>();
        foreach (var table in ReadModelTables)
        {
            await using var command = new NpgsqlCommand($"select id::text || ' ' || data::text from citycase.{table} order by id", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
            snapshot[table] = rows;
        }
        return snapshot;
    }

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
            before = await Snapshot(server.ConnectionString);
        }
        finally
        {
            await server.DisposeAsync();
        }
        Assert.True(before["mt_doc_caseview"].Count >= 44, $"{before["mt_doc_caseview"].Count} case views");
        Assert.NotEmpty(before["mt_doc_scorebucket"]);
        Assert.NotEmpty(before["mt_doc_slatimer"]);

        // Lose the read models, then rebuild them from the events alone.
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            foreach (var table in ReadModelTables)
                await new NpgsqlCommand($"delete from citycase.{table}", connection).ExecuteNonQueryAsync();
        }
        var (exitCode, stdout, stderr) = await ServerProcess.RunToEnd("rebuild", "--ConnectionStrings:Marten", server.ConnectionString);

        Assert.True(exitCode == 0, stdout + stderr);
        Assert.Contains("Scorecards", stdout);
        Assert.Matches(@"Rebuilt [\d,]+ events into 3 read models in [\d.]+ s", stdout);
        var after = await Snapshot(server.ConnectionString);
        foreach (var table in ReadModelTables)
            Assert.Equal(before[table], after[table]);
    }
}

using Npgsql;

namespace CityCase.IntegrationTests.Infrastructure;

/// <summary>Every read model's rows, to compare what the live projections built with what a rebuild gives.</summary>
public static class ReadModels
{
    /// <summary>Every read model's table: the case views, SLA timers, per-case assessments and scorecard buckets.</summary>
    public static readonly string[] Tables = ["mt_doc_caseview", "mt_doc_slatimer", "mt_doc_caseassessment", "mt_doc_scorebucket"];

    public static async Task<Dictionary<string, List<string>>> SnapshotAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var snapshot = new Dictionary<string, List<string>>();
        foreach (var table in Tables)
        {
            await using var command = new NpgsqlCommand($"select id::text || ' ' || data::text from citycase.{table} order by id", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
            snapshot[table] = rows;
        }
        return snapshot;
    }

    /// <summary>Loses every read model, then rebuilds them from the events alone with the <c>rebuild</c> verb (a process); returns its output.</summary>
    public static async Task<string> DeleteAndRebuildAsync(string connectionString)
    {
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            foreach (var table in Tables)
                await new NpgsqlCommand($"delete from citycase.{table}", connection).ExecuteNonQueryAsync();
        }
        var (exitCode, stdout, stderr) = await Hosting.ServerProcess.RunToEnd("rebuild", "--ConnectionStrings:Marten", connectionString);
        Assert.True(exitCode == 0, stdout + stderr);
        return stdout;
    }

    /// <summary>Asserts that a rebuild gives back exactly the rows the live projections built.</summary>
    public static async Task AssertEqualToRebuildAsync(string connectionString)
    {
        var live = await SnapshotAsync(connectionString);
        await DeleteAndRebuildAsync(connectionString);
        var rebuilt = await SnapshotAsync(connectionString);
        foreach (var table in Tables)
            Assert.True(live[table].SequenceEqual(rebuilt[table]),
                $"{table}: {live[table].Count} rows built live, {rebuilt[table].Count} rebuilt; first difference: " +
                live[table].Zip(rebuilt[table]).FirstOrDefault(p => p.First != p.Second));
    }
}

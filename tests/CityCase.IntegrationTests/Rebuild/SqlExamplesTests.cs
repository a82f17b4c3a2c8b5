using System.Text.RegularExpressions;
using CityCase.IntegrationTests.Infrastructure;
using NodaTime.Testing;
using Npgsql;

namespace CityCase.IntegrationTests.Rebuild;

/// <summary>The README's SQL examples for analysts run as written against the read models of a busy day.</summary>
public sealed class SqlExamplesTests : IAsyncLifetime
{
    private readonly FakeClock _clock = new(BusyDay.Start);
    private CityCaseServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = CityCaseServer.OnClock(_clock);
        await _server.InitializeAsync();
        await new BusyDay(_server, _clock).PlayAsync(cases: 33);
        await _server.WaitForProjectionsAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    public static IEnumerable<object[]> Examples()
    {
        var readme = File.ReadAllText(Repository.PathTo("README.md"));
        var section = readme[readme.IndexOf("## Reading the read models with SQL", StringComparison.Ordinal)..];
        return Regex.Matches(section, "```sql\n(.*?)```", RegexOptions.Singleline).Select(m => new object[] { m.Groups[1].Value });
    }

    [Fact]
    public void The_readme_has_at_least_three_examples() => Assert.True(Examples().Count() >= 3);

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task A_readme_example_runs_and_finds_rows(string sql)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var reader = await new NpgsqlCommand(sql, connection).ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "no rows:\n" + sql);
        for (var column = 0; column < reader.FieldCount; column++) Assert.False(string.IsNullOrEmpty(reader.GetName(column)));
    }
}

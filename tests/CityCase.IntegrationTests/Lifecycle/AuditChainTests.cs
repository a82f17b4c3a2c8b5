using CityCase.IntegrationTests.Infrastructure;
using Npgsql;

namespace CityCase.IntegrationTests.Lifecycle;

public sealed class AuditChainTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private readonly CaseClient _client = new(server);

    private async Task<System.Text.Json.Nodes.JsonNode> Check(string id)
    {
        var response = await server.PostGraphQL(
            "query($id: ID!) { auditChain(caseId: $id) { intact checkedEvents firstBrokenVersion problem } }", new { id }, _client.Auditor);
        Assert.True(response.Errors is null, response.ToString());
        return response.Data!["auditChain"]!;
    }

    [Fact]
    public async Task An_untouched_history_is_intact_and_an_altered_event_breaks_the_chain_at_its_version()
    {
        var (id, _) = await _client.Report("Graffiti on the bridge");
        await _client.Must("acceptCase", _client.Dispatcher, id, new { categoryCode = "1104", urgency = "NORMAL" });
        await _client.Must("dispatchCase", _client.Dispatcher, id);

        var intact = await Check(id);
        Assert.True(intact["intact"]!.GetValue<bool>());
        Assert.Equal(await _client.EventsOf(id), intact["checkedEvents"]!.GetValue<long>());

        // Someone with database access rewrites what the dispatcher decided (version 4: CaseAccepted).
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var tamper = new NpgsqlCommand("""
                update citycase.mt_events set data = jsonb_set(data, '{urgency}', '"Urgent"')
                where stream_id = $1 and version = 4 and type = 'case_accepted'
                """, connection) { Parameters = { new() { Value = Guid.Parse(id) } } };
            Assert.Equal(1, await tamper.ExecuteNonQueryAsync());
        }

        var broken = await Check(id);
        Assert.False(broken["intact"]!.GetValue<bool>());
        Assert.Equal(4, broken["firstBrokenVersion"]!.GetValue<long>());
        Assert.Contains("altered", broken["problem"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_case_is_not_found()
    {
        var response = await server.PostGraphQL("query($id: ID!) { auditChain(caseId: $id) { intact } }",
            new { id = Guid.CreateVersion7() }, _client.Auditor);
        Assert.Equal("NOT_FOUND", response.FirstErrorCode);
    }
}

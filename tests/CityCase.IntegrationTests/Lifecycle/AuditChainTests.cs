using CityCase.Engine.Audit;
using CityCase.IntegrationTests.Infrastructure;
using Npgsql;

namespace CityCase.IntegrationTests.Lifecycle;

/// <summary>
/// One case's audit over HTTP, after someone with the database owner's rights has changed what was recorded with SQL:
/// each change is found, at the first bad version.
/// </summary>
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

    private async Task AssertBrokenAt(string id, long version, string problemSays)
    {
        var broken = await Check(id);
        Assert.False(broken["intact"]!.GetValue<bool>(), broken.ToJsonString());
        Assert.Equal(version, broken["firstBrokenVersion"]!.GetValue<long>());
        Assert.Contains(problemSays, broken["problem"]!.GetValue<string>());
    }

    /// <summary>A case reported (versions 1 to 3), accepted (4) and dispatched, checked intact first.</summary>
    private async Task<(string Id, long Events)> DispatchedCase(string description)
    {
        var (id, _) = await _client.Report(description);
        await _client.Must("acceptCase", _client.Dispatcher, id, new { categoryCode = "1104", urgency = "NORMAL" });
        await _client.Must("dispatchCase", _client.Dispatcher, id);
        var intact = await Check(id);
        Assert.True(intact["intact"]!.GetValue<bool>(), intact.ToJsonString());
        var events = await _client.EventsOf(id);
        Assert.Equal(events, intact["checkedEvents"]!.GetValue<long>());
        return (id, events);
    }

    private async Task<int> Sql(string sql, string id)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = Guid.Parse(id) } } };
        return await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task An_altered_event_breaks_the_chain_at_its_version()
    {
        var (id, _) = await DispatchedCase("Graffiti on the bridge");
        // Someone with database access rewrites what the dispatcher decided (version 4: CaseAccepted).
        Assert.Equal(1, await Sql("""
            update citycase.mt_events set data = jsonb_set(data, '{urgency}', '"Urgent"')
            where stream_id = $1 and version = 4 and type = 'case_accepted'
            """, id));
        await AssertBrokenAt(id, 4, "altered");
    }

    [Fact]
    public async Task An_altered_timestamp_breaks_the_chain_at_its_version()
    {
        var (id, _) = await DispatchedCase("Bench broken in the park");
        // Moving the acceptance an hour earlier would change what caseAsOf answers.
        Assert.Equal(1, await Sql("update citycase.mt_events set timestamp = timestamp - interval '1 hour' where stream_id = $1 and version = 4", id));
        await AssertBrokenAt(id, 4, "altered");
    }

    [Fact]
    public async Task An_altered_microsecond_or_correlation_id_breaks_the_chain()
    {
        var (first, _) = await DispatchedCase("Manhole cover missing");
        Assert.Equal(1, await Sql("update citycase.mt_events set timestamp = timestamp + interval '1 microsecond' where stream_id = $1 and version = 2", first));
        await AssertBrokenAt(first, 2, "altered");

        var (second, _) = await DispatchedCase("Manhole cover loose");
        Assert.Equal(1, await Sql("update citycase.mt_events set correlation_id = 'another-call' where stream_id = $1 and version = 5", second));
        await AssertBrokenAt(second, 5, "altered");
    }

    [Fact]
    public async Task An_edited_chain_row_breaks_the_chain_at_its_version()
    {
        var (id, _) = await DispatchedCase("Tree fallen across the lane");
        Assert.Equal(1, await Sql("update citycase.cc_event_chain set hash = md5(hash) || md5(hash) where stream_id = $1 and version = 3", id));
        await AssertBrokenAt(id, 3, "altered");
    }

    [Fact]
    public async Task A_deleted_last_event_is_found_by_the_stream_table()
    {
        // Before any anchor signs it, mt_streams still tells (a careful owner winding it back too: see AuditAnchorTests).
        var (id, events) = await DispatchedCase("Street sign bent");
        Assert.Equal(1, await Sql($"delete from citycase.mt_events where stream_id = $1 and version = {events}", id));
        await AssertBrokenAt(id, events, "deleted");
    }

    [Fact]
    public async Task The_trigger_and_the_verifier_compute_the_same_link()
    {
        var e = new ChainedEvent(Guid.CreateVersion7(), 12, 3456, "case_reported", new DateTime(2026, 11, 24, 8, 0, 0, DateTimeKind.Utc).AddTicks(1234560),
            "call|42 ", null, """{"description": "路灯不亮 | lamp out", "n": 1}""");
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select citycase.cc_audit_link($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb), $9::jsonb::text", connection)
        {
            Parameters =
            {
                new() { Value = "ab12" }, new() { Value = e.StreamId }, new() { Value = e.Version }, new() { Value = e.Sequence },
                new() { Value = e.Type }, new() { Value = e.Timestamp }, new() { Value = e.CorrelationId! },
                new() { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text }, new() { Value = e.Data },
            },
        };
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(AuditLink.Hash("ab12", e with { Data = reader.GetString(1) }), reader.GetString(0));
        Assert.NotEqual(AuditLink.Hash("ab12", e with { Data = reader.GetString(1), CorrelationId = "call", CausationId = "42 " }), reader.GetString(0));
    }

    [Fact]
    public async Task An_unknown_case_is_not_found()
    {
        var response = await server.PostGraphQL("query($id: ID!) { auditChain(caseId: $id) { intact } }",
            new { id = Guid.CreateVersion7() }, _client.Auditor);
        Assert.Equal("NOT_FOUND", response.FirstErrorCode);
    }
}

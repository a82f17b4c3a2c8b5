using System.Text.Json.Nodes;
using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.Access;

/// <summary>
/// Citizens' personal data shown only where the work needs it, and case reads within each role's scope: through
/// HTTP on a real server. The sample caller is Zhang San, 13900000000 (CaseClient.Report).
/// </summary>
public sealed class PersonalDataTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private readonly CaseClient _client = new(server);
    private static readonly string D03 = CaseClient.Department("D03");
    private static readonly string D05 = CaseClient.Department("D05");

    private async Task<string> DispatchedTo(string department)
    {
        var (id, _) = await _client.Report();
        await _client.Must("acceptCase", _client.Dispatcher, id, new { categoryCode = "0101", urgency = "NORMAL" });
        await _client.Must("dispatchCase", _client.Dispatcher, id, new { departmentCode = department });
        return id;
    }

    private async Task<GraphQLResponse> CaseAs(string token, string id) =>
        await server.PostGraphQL("query($id: ID) { case(id: $id) { number citizen { name phone } } }", new { id }, token);

    private async Task<string?> PhoneAs(string token, string id)
    {
        var response = await CaseAs(token, id);
        Assert.True(response.Errors is null, response.ToString());
        return (string?)response.Data!["case"]!["citizen"]?["phone"];
    }

    [Fact]
    public async Task The_phone_is_whole_for_the_agent_and_the_holding_department_masked_for_other_staff_and_absent_for_analysts()
    {
        var id = await DispatchedTo("D05");

        Assert.Equal("13900000000", await PhoneAs(_client.Agent, id));
        Assert.Equal("13900000000", await PhoneAs(D05, id));
        Assert.Equal("13900000000", await PhoneAs(CityCaseServer.Token("admin", "root"), id));
        foreach (var staff in new[] { _client.Dispatcher, _client.Supervisor, _client.Auditor })
            Assert.Equal("139****0000", await PhoneAs(staff, id));
        Assert.Equal("Z********", (string?)(await CaseAs(_client.Auditor, id)).Data!["case"]!["citizen"]!["name"]);

        var number = (string)(await CaseAs(_client.Agent, id)).Data!["case"]!["number"]!;
        var analysed = await server.PostGraphQL("{ cases(filter: { departmentCode: \"D05\" }, first: 100) { edges { node { number citizen { phone } } } } }",
            token: _client.Analyst);
        var node = analysed.Data!["cases"]!["edges"]!.AsArray().Single(e => (string)e!["node"]!["number"]! == number)!["node"]!;
        Assert.Null(node["citizen"]);
    }

    [Fact]
    public async Task The_same_rule_holds_in_the_history_and_when_the_case_moves_to_another_department()
    {
        var id = await DispatchedTo("D05");
        var asDispatcher = await server.PostGraphQL("query($id: ID!) { caseHistory(id: $id) { data } }", new { id }, _client.Dispatcher);
        Assert.Contains("139****0000", asDispatcher.Text);
        Assert.DoesNotContain("13900000000", asDispatcher.Text);
        var asAgent = await server.PostGraphQL("query($id: ID!) { caseHistory(id: $id) { data } }", new { id }, _client.Agent);
        Assert.Contains("13900000000", asAgent.Text);

        await _client.Must("returnCase", D05, id, new { reason = "not ours" });
        await _client.Must("decideReturn", _client.Dispatcher, id, new { approve = true });
        await _client.Must("dispatchCase", _client.Dispatcher, id, new { departmentCode = "D03" });
        Assert.Equal("13900000000", await PhoneAs(D03, id));   // it holds the case now
        Assert.Equal("139****0000", await PhoneAs(D05, id));   // it held it before: it may still read it, masked
    }

    [Fact]
    public async Task A_subscriptions_payload_discloses_the_citizen_as_a_query_does()
    {
        var id = await DispatchedTo("D05");
        using var socket = await RawWebSocket.Connect(server.BaseAddress);
        await RawWebSocket.Send(socket, new JsonObject { ["type"] = "connection_init", ["payload"] = new JsonObject { ["token"] = _client.Supervisor } }.ToJsonString());
        Assert.Contains("connection_ack", await RawWebSocket.Receive(socket));
        await RawWebSocket.Send(socket, new JsonObject
        {
            ["id"] = "1", ["type"] = "subscribe",
            ["payload"] = new JsonObject { ["query"] = "subscription($id: ID!) { caseChanged(id: $id) { citizen { name phone } } }", ["variables"] = new JsonObject { ["id"] = id } },
        }.ToJsonString());
        await RawWebSocket.Send(socket, """{"type":"ping"}""");
        Assert.Contains("pong", await RawWebSocket.Receive(socket));

        await _client.Must("superviseCase", _client.Supervisor, id, new { note = "answer by noon" });

        var next = await RawWebSocket.Receive(socket);
        Assert.Contains("139****0000", next);
        Assert.DoesNotContain("13900000000", next);
    }

    [Fact]
    public async Task A_department_reads_only_cases_dispatched_to_it_whatever_it_asks_for()
    {
        var d05Case = await DispatchedTo("D05");
        var d03Case = await DispatchedTo("D03");

        Assert.Equal("FORBIDDEN", (await CaseAs(D03, d05Case)).FirstErrorCode);
        Assert.Equal("FORBIDDEN", (await server.PostGraphQL("query($id: ID!) { caseHistory(id: $id) { type } }", new { id = d05Case }, D03)).FirstErrorCode);
        Assert.Equal("FORBIDDEN", (await server.PostGraphQL(
            "query($id: ID!) { caseAsOf(id: $id, at: \"2030-01-01T00:00:00Z\") { id } }", new { id = d05Case }, D03)).FirstErrorCode);

        var listed = await server.PostGraphQL("{ cases(filter: { departmentCode: \"D05\" }, first: 100) { edges { node { id departmentCode } } } }", token: D03);
        var ids = listed.Data!["cases"]!["edges"]!.AsArray().Select(e => (string)e!["node"]!["id"]!).ToList();
        Assert.DoesNotContain(d05Case, ids);

        var board = await server.PostGraphQL("{ slaBoard(departmentCode: \"D05\") { cases { case { id departmentCode } } } }", token: D03);
        var departments = board.Data!["slaBoard"]!["cases"]!.AsArray().Select(c => (string?)c!["case"]!["departmentCode"]).ToList();
        Assert.Contains(d03Case, board.Data!["slaBoard"]!["cases"]!.AsArray().Select(c => (string)c!["case"]!["id"]!));
        Assert.All(departments, d => Assert.Equal("D03", d));
    }

    [Fact]
    public async Task A_device_and_an_unknown_role_read_no_case_and_an_inspector_reads_their_own_findings()
    {
        var id = await DispatchedTo("D05");
        Assert.Equal("FORBIDDEN", (await CaseAs(_client.Device, id)).FirstErrorCode);
        Assert.Equal("FORBIDDEN", (await CaseAs(CityCaseServer.Token("janitor", "jan"), id)).FirstErrorCode);
        Assert.Equal("FORBIDDEN", (await CaseAs(_client.Inspector, id)).FirstErrorCode); // ivan has no beat here

        var finding = await server.PostGraphQL(
            "mutation { reportPatrolFinding(input: { description: \"Broken kerb\", categoryCode: \"0201\", location: { longitude: 121.4737, latitude: 31.2304 } }) { case { id } } }",
            token: _client.Inspector);
        var own = (string)finding.Data!["reportPatrolFinding"]!["case"]!["id"]!;
        Assert.Null((await CaseAs(_client.Inspector, own)).Errors);
    }

    [Fact]
    public async Task An_auditor_reveals_a_contact_for_a_reason_and_the_reveal_is_recorded_and_listed()
    {
        var id = await DispatchedTo("D05");
        const string reveal = "mutation($input: RevealCitizenContactInput!) { revealCitizenContact(input: $input) { caseNumber citizen { phone } } }";

        var refused = await server.PostGraphQL(reveal, new { input = new { caseId = id, reason = " " } }, _client.Auditor);
        Assert.Equal("VALIDATION_FAILED", refused.FirstErrorCode);
        Assert.Equal(0, await _client.EventsOf(id, "citizen_contact_revealed"));
        Assert.Equal("FORBIDDEN", (await server.PostGraphQL(reveal, new { input = new { caseId = id, reason = "x" } }, _client.Analyst)).FirstErrorCode);

        var revealed = await server.PostGraphQL(reveal, new { input = new { caseId = id, reason = "complaint about the handling, ticket 7" } }, _client.Auditor);
        Assert.True(revealed.Errors is null, revealed.ToString());
        Assert.Equal("13900000000", (string)revealed.Data!["revealCitizenContact"]!["citizen"]!["phone"]!);
        Assert.Equal(1, await _client.EventsOf(id, "citizen_contact_revealed"));
        Assert.Equal("139****0000", await PhoneAs(_client.Auditor, id)); // one reveal, not a lasting view

        var listed = await server.PostGraphQL("query($from: Instant!, $to: Instant!) { contactReveals(from: $from, to: $to) { caseId reason by { userId } } }",
            new { from = DateTime.UtcNow.AddDays(-1).ToString("O"), to = DateTime.UtcNow.AddDays(1).ToString("O") }, _client.Auditor);
        Assert.True(listed.Errors is null, listed.ToString());
        Assert.Contains(listed.Data!["contactReveals"]!.AsArray(),
            r => (string)r!["caseId"]! == id && (string)r["reason"]! == "complaint about the handling, ticket 7" && (string)r["by"]!["userId"]! == "audrey");
    }
}

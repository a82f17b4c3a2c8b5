using System.Text.Json.Nodes;

namespace CityCase.IntegrationTests.Infrastructure;

/// <summary>A terse client for the case mutations, as the roles of the contract would call them.</summary>
public sealed class CaseClient(CityCaseServer server)
{
    public readonly string Agent = CityCaseServer.Token("agent", "alice");
    public readonly string Dispatcher = CityCaseServer.Token("dispatcher", "dan");
    public readonly string Inspector = CityCaseServer.Token("inspector", "ivan");
    public readonly string Supervisor = CityCaseServer.Token("supervisor", "sue");
    public readonly string Device = CityCaseServer.Token("device", "gateway-1");
    public readonly string Auditor = CityCaseServer.Token("auditor", "audrey");
    public readonly string Analyst = CityCaseServer.Token("analyst", "ann");

    public static string Department(string code) => CityCaseServer.Token("department", $"staff-{code}", code);

    public async Task<(string Id, string Number)> Report(string description = "Pothole outside No. 12",
        double longitude = 121.4737, double latitude = 31.2304, string? categoryCode = null, string? idempotencyKey = null,
        string phone = "13900000000")
    {
        var response = await server.PostGraphQL(Samples.ReportComplaint, new
        {
            input = new
            {
                description, categoryCode, idempotencyKey,
                location = new { longitude, latitude },
                citizen = new { name = "Zhang San", phone },
            },
        }, Agent);
        Assert.True(response.Errors is null, response.ToString());
        var c = response.Data!["reportComplaint"]!["case"]!;
        return (c["id"]!.GetValue<string>(), c["number"]!.GetValue<string>());
    }

    /// <summary>Calls <paramref name="mutation"/>(input: {caseId, ...fields}) and returns the response.</summary>
    public Task<GraphQLResponse> Do(string mutation, string token, string caseId, object? fields = null, int? expectedVersion = null)
    {
        var input = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(fields ?? new { }))!.AsObject();
        input["caseId"] = caseId;
        if (expectedVersion is not null) input["expectedVersion"] = expectedVersion;
        var inputType = char.ToUpperInvariant(mutation[0]) + mutation[1..] + "Input";
        return server.PostGraphQL($"mutation($input: {inputType}!) {{ {mutation}(input: $input) {{ case {{ id number status version }} }} }}",
            new Dictionary<string, object> { ["input"] = input }, token);
    }

    /// <summary>Like <see cref="Do"/>, but the command must succeed; returns the case's status and version.</summary>
    public async Task<(string Status, int Version)> Must(string mutation, string token, string caseId, object? fields = null)
    {
        var response = await Do(mutation, token, caseId, fields);
        Assert.True(response.Errors is null, $"{mutation}: {response}");
        var c = response.Data![mutation]!["case"]!;
        return (c["status"]!.GetValue<string>(), c["version"]!.GetValue<int>());
    }

    public async Task<JsonNode> Case(string id, string fields = "id number status version departmentCode reworks returns extensions suspended")
    {
        var response = await server.PostGraphQL($"query($id: ID) {{ case(id: $id) {{ {fields} }} }}", new { id }, Auditor);
        Assert.True(response.Errors is null, response.ToString());
        return response.Data!["case"]!;
    }

    public async Task<JsonArray> History(string id)
    {
        var response = await server.PostGraphQL(
            "query($id: ID!) { caseHistory(id: $id) { sequence version type timestamp actor { userId role } data } }", new { id }, Auditor);
        Assert.True(response.Errors is null, response.ToString());
        return response.Data!["caseHistory"]!.AsArray();
    }

    /// <summary>The events of a case (of one type, e.g. "case_reported", when given).</summary>
    public async Task<long> EventsOf(string id, string? type = null)
    {
        await using var connection = new Npgsql.NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "select count(*) from citycase.mt_events where stream_id = $1 and ($2::text is null or type = $2)", connection)
        { Parameters = { new() { Value = Guid.Parse(id) }, new() { Value = (object?)type ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text } } };
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

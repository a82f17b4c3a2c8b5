using System.Text.Json.Nodes;
using CityCase.IntegrationTests.Infrastructure;
using static CityCase.IntegrationTests.Infrastructure.Samples;

namespace CityCase.IntegrationTests.Intake;

/// <summary>The first slice: GraphQL → command → handler → CaseReported → inline case view → query.</summary>
public sealed class ReportComplaintTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private const string CaseFields = """
        id number status suspended source description categoryCode version reportedAt updatedAt
        location { longitude latitude address } citizen { name phone } recordedBy { userId name role }
        """;

    [Fact]
    public async Task An_agent_reports_a_complaint_and_reads_it_back_by_id_and_by_number()
    {
        var token = CityCaseServer.Token("agent", "alice");
        var reported = await server.PostGraphQL(ReportComplaint, Complaint(), token);

        Assert.Equal(200, reported.Status);
        Assert.Null(reported.Errors);
        var payload = reported.Data!["reportComplaint"]!["case"]!;
        var id = payload["id"]!.GetValue<string>();
        var number = payload["number"]!.GetValue<string>();
        Assert.True(Guid.TryParse(id, out var guid));
        Assert.Equal(7, guid.Version);
        Assert.Matches(@"^\d{8}-\d{5}$", number);
        Assert.Equal("REPORTED", payload["status"]!.GetValue<string>());
        // The report, then its two clocks (filing, and the citizen's five working days), in one append.
        Assert.Equal(3, payload["version"]!.GetValue<int>());

        var byId = await server.PostGraphQL($"query($id: ID) {{ case(id: $id) {{ {CaseFields} }} }}", new { id }, token);
        var byNumber = await server.PostGraphQL($"query($n: String) {{ case(number: $n) {{ {CaseFields} }} }}", new { n = number }, token);
        Assert.Null(byId.Errors);
        Assert.Equal(byId.Data!["case"]!.ToJsonString(), byNumber.Data!["case"]!.ToJsonString());

        var view = byId.Data!["case"]!;
        Assert.Equal("HOTLINE", view["source"]!.GetValue<string>());
        Assert.Equal("Street lamp out on Jiefang Road", view["description"]!.GetValue<string>());
        Assert.Equal(31.2304, view["location"]!["latitude"]!.GetValue<double>());
        Assert.Equal("88 Jiefang Road", view["location"]!["address"]!.GetValue<string>());
        Assert.Equal("Li Wei", view["citizen"]!["name"]!.GetValue<string>());
        Assert.Equal("alice", view["recordedBy"]!["userId"]!.GetValue<string>());
        Assert.Equal("agent", view["recordedBy"]!["role"]!.GetValue<string>());
        Assert.False(view["suspended"]!.GetValue<bool>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", view["reportedAt"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_event_records_what_where_who_reported_who_recorded_and_when()
    {
        var token = CityCaseServer.Token("agent", "bob");
        var reported = await server.PostGraphQL(ReportComplaint, Complaint("Rubbish left by the bus stop"), token);
        var id = Guid.Parse(reported.Data!["reportComplaint"]!["case"]!["id"]!.GetValue<string>());

        await using var connection = new Npgsql.NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "select type, data::text from citycase.mt_events where stream_id = $1 order by version", connection)
        { Parameters = { new() { Value = id } } };
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("case_reported", reader.GetString(0));
        var data = JsonNode.Parse(reader.GetString(1))!;
        Assert.Equal("Rubbish left by the bus stop", data["description"]!.GetValue<string>());
        Assert.Equal("Hotline", data["source"]!.GetValue<string>());
        Assert.Equal("bob", data["recordedBy"]!["userId"]!.GetValue<string>());
        Assert.Equal(id, data["reportedBy"]!["keyId"]!.GetValue<Guid>()); // sealed under the case's own key, never in clear text
        Assert.DoesNotContain("Li Wei", reader.GetString(1));
        Assert.Equal(121.4737, data["location"]!["longitude"]!.GetValue<double>());
        Assert.NotNull(data["reportedAt"]);
        var rest = new List<string>();
        while (await reader.ReadAsync()) rest.Add(reader.GetString(0));
        Assert.Equal(["clock_started", "clock_started"], rest);
    }

    [Fact]
    public async Task Concurrent_intake_gets_unique_increasing_case_numbers()
    {
        var token = CityCaseServer.Token("agent");
        var numbers = await Task.WhenAll(Enumerable.Range(0, 24).Select(async i =>
        {
            var response = await server.PostGraphQL(ReportComplaint, Complaint($"Complaint {i}"), token);
            Assert.Null(response.Errors);
            return response.Data!["reportComplaint"]!["case"]!["number"]!.GetValue<string>();
        }));

        Assert.Equal(numbers.Length, numbers.Distinct().Count());
        var first = await server.PostGraphQL(ReportComplaint, Complaint("after the burst"), token);
        var last = first.Data!["reportComplaint"]!["case"]!["number"]!.GetValue<string>();
        Assert.All(numbers, n => Assert.True(string.CompareOrdinal(n, last) < 0, $"{n} should sort before {last}"));
    }

    [Fact]
    public async Task A_case_that_does_not_exist_is_null_and_a_bad_id_is_a_validation_error()
    {
        var token = CityCaseServer.Token("auditor");
        var missing = await server.PostGraphQL("{ case(id: \"0198a0c4-0000-7000-8000-000000000000\") { id } }", token: token);
        Assert.Null(missing.Errors);
        Assert.Null(missing.Data!["case"]);

        var bad = await server.PostGraphQL("{ case(id: \"not-a-uuid\") { id } }", token: token);
        Assert.Equal("VALIDATION_FAILED", bad.FirstErrorCode);
        Assert.Contains("not-a-uuid", bad.FirstErrorMessage);

        var neither = await server.PostGraphQL("{ case { id } }", token: token);
        Assert.Equal("VALIDATION_FAILED", neither.FirstErrorCode);
    }
}

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.Lifecycle;

/// <summary>caseHistory says which request appended each event: the caller's X-Correlation-Id, or the request's trace id.</summary>
public sealed class CorrelationTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private readonly CaseClient _client = new(server);

    [Fact]
    public async Task Every_event_carries_the_correlation_id_of_the_request_that_appended_it()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(JsonSerializer.Serialize(new
            {
                query = "mutation($input: ReportComplaintInput!) { reportComplaint(input: $input) { case { id } } }",
                variables = new { input = new { description = "Lamp out", location = new { longitude = 121.4737, latitude = 31.2304 } } },
            }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _client.Agent);
        request.Headers.Add("X-Correlation-Id", "call-20261124-0042");
        var reported = await server.Send(request);
        Assert.True(reported.Errors is null, reported.ToString());
        var id = reported.Data!["reportComplaint"]!["case"]!["id"]!.GetValue<string>();
        await _client.Must("acceptCase", _client.Agent, id, new { categoryCode = "0105", urgency = "NORMAL" });

        var response = await server.PostGraphQL("query($id: ID!) { caseHistory(id: $id) { type correlationId actor { userId } } }",
            new { id }, _client.Auditor);
        var history = response.Data!["caseHistory"]!.AsArray();
        var byRequest = history.GroupBy(e => e!["correlationId"]?.GetValue<string>()).ToList();

        // The report (CaseReported and its clocks) under the caller's id; the acceptance under its own trace id.
        Assert.Equal(2, byRequest.Count);
        Assert.Equal("call-20261124-0042", history[0]!["correlationId"]!.GetValue<string>());
        var acceptance = byRequest.Single(g => g.Key != "call-20261124-0042");
        Assert.False(string.IsNullOrEmpty(acceptance.Key));
        Assert.Contains(acceptance, e => e!["type"]!.GetValue<string>() == "CaseAccepted");
    }
}

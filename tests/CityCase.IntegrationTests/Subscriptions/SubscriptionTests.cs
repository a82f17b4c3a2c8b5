using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.Subscriptions;

public sealed class SubscriptionTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private readonly CaseClient _client = new(server);

    [Fact]
    public async Task A_dashboard_with_graphql_ws_receives_the_case_after_each_change()
    {
        var (id, number) = await _client.Report();
        await using var ws = await GraphQLWsClient.Start(server.BaseAddress, _client.Supervisor,
            "subscription($id: ID!) { caseChanged(id: $id) { id number status supervisions } }", new { id });
        await ws.WaitFor("CONNECTED");

        for (var attempt = 0; attempt < 5 && !ws.Has("NEXT"); attempt++)
        {
            await _client.Must("superviseCase", _client.Supervisor, id, new { note = $"Chase {attempt}" });
            await Task.Delay(300);
        }

        var next = await ws.WaitFor("NEXT");
        Assert.Contains(number, next);
        Assert.Contains("\"supervisions\":", next);
        await ws.WaitFor("CLOSED 1000");
    }

    [Fact]
    public async Task A_bad_token_is_refused_with_4403()
    {
        await using var ws = await GraphQLWsClient.Start(server.BaseAddress, "not-a-token",
            "subscription { slaAlerts { caseId } }");
        Assert.StartsWith("CLOSED 4403", await ws.WaitFor("CLOSED"));
        Assert.False(ws.Has("CONNECTED"));
    }

    [Fact]
    public async Task An_unknown_operation_is_an_error_for_that_subscription()
    {
        await using var ws = await GraphQLWsClient.Start(server.BaseAddress, _client.Supervisor,
            "subscription { noSuchFeed { id } }");
        await ws.WaitFor("CONNECTED");
        var error = await ws.WaitFor("ERROR");
        Assert.Contains("noSuchFeed", error);
    }
}

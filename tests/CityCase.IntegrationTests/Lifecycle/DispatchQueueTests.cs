using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.Lifecycle;

public sealed class DispatchQueueTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private readonly CaseClient _client = new(server);

    private async Task<string> Dispatched(string urgency)
    {
        var (id, _) = await _client.Report($"Cracked wall ({urgency})");
        await _client.Must("acceptCase", _client.Dispatcher, id, new { categoryCode = "0501", urgency });
        await _client.Must("dispatchCase", _client.Dispatcher, id); // dangerous buildings: D08
        return id;
    }

    private async Task<(List<string> Ids, bool HasNext, string? End)> Page(int first, string? after, string? token = null)
    {
        var response = await server.PostGraphQL("""
            query($first: Int, $after: String) {
              dispatchQueue(departmentCode: "D08", first: $first, after: $after) { edges { cursor node { id urgency } } pageInfo { hasNextPage endCursor } }
            }
            """, new { first, after }, token ?? _client.Dispatcher);
        Assert.True(response.Errors is null, response.ToString());
        var queue = response.Data!["dispatchQueue"]!;
        return (queue["edges"]!.AsArray().Select(e => e!["node"]!["id"]!.GetValue<string>()).ToList(),
            queue["pageInfo"]!["hasNextPage"]!.GetValue<bool>(), queue["pageInfo"]!["endCursor"]?.GetValue<string>());
    }

    [Fact]
    public async Task Urgent_first_then_soonest_due_paged_and_stable_while_cases_change_underneath()
    {
        var normal1 = await Dispatched("NORMAL");
        var urgent1 = await Dispatched("URGENT");
        var normal2 = await Dispatched("NORMAL");
        var urgent2 = await Dispatched("URGENT");
        var normal3 = await Dispatched("NORMAL");

        var (first, hasNext, end) = await Page(2, null);
        Assert.Equal([urgent1, urgent2], first);
        Assert.True(hasNext);

        // Underneath: a new urgent case (due later than the two already seen, so it sorts after the cursor)
        // and one case leaves the queue. Keyset paging neither repeats nor skips what was there.
        var urgent3 = await Dispatched("URGENT");
        await _client.Must("returnCase", CaseClient.Department("D08"), normal2, new { reason = "Not a housing matter" });

        var (second, hasMore, end2) = await Page(2, end);
        Assert.Equal([urgent3, normal1], second);
        Assert.True(hasMore);
        var (third, hasMoreStill, _) = await Page(2, end2);
        Assert.Equal([normal3], third);
        Assert.False(hasMoreStill);
        Assert.Equal([urgent1, urgent2, urgent3, normal1, normal3], (await Page(10, null)).Ids);

        var other = await server.PostGraphQL("{ dispatchQueue(departmentCode: \"D08\") { edges { cursor } } }", token: CaseClient.Department("D02"));
        Assert.Equal("FORBIDDEN", other.FirstErrorCode);
        var tooMany = await server.PostGraphQL("{ dispatchQueue(departmentCode: \"D08\", first: 1000) { edges { cursor } } }", token: _client.Dispatcher);
        Assert.Equal("VALIDATION_FAILED", tooMany.FirstErrorCode);
        Assert.NotNull(end2);
    }
}

using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.Lifecycle;

/// <summary>
/// A department's dispatch queue: its open cases, urgent first, then the soonest disposal deadline, in Relay pages.
/// The tests share one server, so each fills the queue of a department of its own.
/// </summary>
public sealed class DispatchQueueTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private readonly CaseClient _client = new(server);

    /// <summary>A dangerous building (category 0501: disposal in 1 working day when urgent, 2 when normal).</summary>
    private async Task<string> Dispatched(string department, string urgency)
    {
        var (id, _) = await _client.Report($"Cracked wall ({urgency})");
        await _client.Must("acceptCase", _client.Dispatcher, id, new { categoryCode = "0501", urgency });
        await _client.Must("dispatchCase", _client.Dispatcher, id, new { departmentCode = department });
        return id;
    }

    /// <summary>Five cases dispatched one after the other, normal and urgent in turn: later ones are due later.</summary>
    private async Task<(string Normal1, string Urgent1, string Normal2, string Urgent2, string Normal3)> FiveDispatched(string department) =>
        (await Dispatched(department, "NORMAL"), await Dispatched(department, "URGENT"), await Dispatched(department, "NORMAL"),
            await Dispatched(department, "URGENT"), await Dispatched(department, "NORMAL"));

    private async Task<(List<string> Ids, bool HasNext, string? End)> Page(string department, int first, string? after)
    {
        var response = await server.PostGraphQL("""
            query($department: String!, $first: Int, $after: String) {
              dispatchQueue(departmentCode: $department, first: $first, after: $after) { edges { cursor node { id urgency } } pageInfo { hasNextPage endCursor } }
            }
            """, new { department, first, after }, _client.Dispatcher);
        Assert.True(response.Errors is null, response.ToString());
        var queue = response.Data!["dispatchQueue"]!;
        return (queue["edges"]!.AsArray().Select(e => e!["node"]!["id"]!.GetValue<string>()).ToList(),
            queue["pageInfo"]!["hasNextPage"]!.GetValue<bool>(), queue["pageInfo"]!["endCursor"]?.GetValue<string>());
    }

    [Fact]
    public async Task Urgent_cases_come_first_then_the_soonest_disposal_deadline()
    {
        var (normal1, urgent1, normal2, urgent2, normal3) = await FiveDispatched("D07");

        var (first, hasNext, _) = await Page("D07", 2, null);
        Assert.Equal([urgent1, urgent2], first);
        Assert.True(hasNext);
        Assert.Equal([urgent1, urgent2, normal1, normal2, normal3], (await Page("D07", 10, null)).Ids);
    }

    [Fact]
    public async Task Keyset_paging_neither_repeats_nor_skips_while_cases_join_and_leave_the_queue()
    {
        var (normal1, urgent1, normal2, urgent2, normal3) = await FiveDispatched("D08");
        var (first, hasNext, end) = await Page("D08", 2, null);
        Assert.Equal([urgent1, urgent2], first);
        Assert.True(hasNext);

        // Underneath: a new urgent case (due later than the two already seen, so it sorts after the cursor)
        // and one case leaves the queue. Keyset paging neither repeats nor skips what was there.
        var urgent3 = await Dispatched("D08", "URGENT");
        await _client.Must("returnCase", CaseClient.Department("D08"), normal2, new { reason = "Not a housing matter" });
        await _client.Must("decideReturn", _client.Dispatcher, normal2, new { approve = true });

        var (second, hasMore, end2) = await Page("D08", 2, end);
        Assert.Equal([urgent3, normal1], second);
        Assert.True(hasMore);
        Assert.NotNull(end2);
        var (third, hasMoreStill, _) = await Page("D08", 2, end2);
        Assert.Equal([normal3], third);
        Assert.False(hasMoreStill);
        Assert.Equal([urgent1, urgent2, urgent3, normal1, normal3], (await Page("D08", 10, null)).Ids);
    }

    [Fact]
    public async Task A_department_may_not_read_another_departments_queue()
    {
        var other = await server.PostGraphQL("{ dispatchQueue(departmentCode: \"D08\") { edges { cursor } } }", token: CaseClient.Department("D02"));

        Assert.Equal("FORBIDDEN", other.FirstErrorCode);
    }

    [Fact]
    public async Task A_page_larger_than_the_maximum_is_refused()
    {
        var tooMany = await server.PostGraphQL("{ dispatchQueue(departmentCode: \"D08\", first: 1000) { edges { cursor } } }", token: _client.Dispatcher);

        Assert.Equal("VALIDATION_FAILED", tooMany.FirstErrorCode);
    }
}

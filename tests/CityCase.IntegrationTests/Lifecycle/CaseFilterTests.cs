using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.Lifecycle;

public sealed class CaseFilterTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private readonly CaseClient _client = new(server);

    private async Task<(List<string> Numbers, string? End, bool HasNext)> Cases(object filter, int first = 20, string? after = null)
    {
        var response = await server.PostGraphQL("""
            query($filter: CaseFilter, $first: Int, $after: String) {
              cases(filter: $filter, first: $first, after: $after) { edges { node { number } } pageInfo { hasNextPage endCursor } }
            }
            """, new { filter, first, after }, _client.Auditor);
        Assert.True(response.Errors is null, response.ToString());
        var c = response.Data!["cases"]!;
        return (c["edges"]!.AsArray().Select(e => e!["node"]!["number"]!.GetValue<string>()).ToList(),
            c["pageInfo"]!["endCursor"]?.GetValue<string>(), c["pageInfo"]!["hasNextPage"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Cases_are_filtered_by_status_place_category_source_and_time_and_paged()
    {
        var start = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        var (east, eastNumber) = await _client.Report("East street", 121.4800, 31.2330);          // street 310101003
        var (west, westNumber) = await _client.Report("West street", 121.4710, 31.2330);          // street 310101001
        var (west2, west2Number) = await _client.Report("West street again", 121.4712, 31.2331);
        await _client.Must("acceptCase", _client.Dispatcher, west, new { categoryCode = "1102", urgency = "NORMAL" });

        Assert.Equal([eastNumber], (await Cases(new { streetCode = "310101003", reportedFrom = start })).Numbers);
        Assert.Equal([westNumber], (await Cases(new { status = "ACCEPTED", categoryCode = "1102", reportedFrom = start })).Numbers);
        Assert.Equal([westNumber, west2Number], (await Cases(new { streetCode = "310101001", source = "HOTLINE", reportedFrom = start })).Numbers);
        Assert.Empty((await Cases(new { reportedFrom = start, reportedTo = start })).Numbers);

        var (page1, end, more) = await Cases(new { reportedFrom = start }, first: 2);
        Assert.Equal([eastNumber, westNumber], page1);
        Assert.True(more);
        Assert.Equal([west2Number], (await Cases(new { reportedFrom = start }, first: 2, after: end)).Numbers);
        Assert.NotNull(east + west2);
    }
}

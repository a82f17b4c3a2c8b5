using System.Text.Json.Nodes;
using CityCase.IntegrationTests.Infrastructure;
using NodaTime;
using NodaTime.Testing;

namespace CityCase.IntegrationTests.Sla;

/// <summary>The SLA board is counted and paged in PostgreSQL: the counts cover every case, the pages follow the board's order.</summary>
public sealed class SlaBoardTests : IAsyncLifetime
{
    // Tuesday 2026-11-24 in Shanghai.
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 11, 24, 1, 0));
    private readonly CityCaseServer _server;
    private readonly string _supervisor = CityCaseServer.Token("supervisor", "sue");

    public SlaBoardTests() => _server = CityCaseServer.OnClock(_clock);

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    private void At(int hour, int minute) =>
        _clock.Reset(new LocalDateTime(2026, 11, 24, hour, minute).InZoneStrictly(DateTimeZoneProviders.Tzdb["Asia/Shanghai"]).ToInstant());

    private async Task<string> ReportAt(int hour, int minute)
    {
        At(hour, minute);
        var response = await _server.PostGraphQL(Samples.ReportComplaint, Samples.Complaint($"Reported at {hour}:{minute}"), CityCaseServer.Token("agent"));
        Assert.True(response.Errors is null, response.ToString());
        return response.Data!["reportComplaint"]!["case"]!["id"]!.GetValue<string>();
    }

    private async Task<JsonNode> Board(string arguments)
    {
        var response = await _server.PostGraphQL(
            $"{{ slaBoard{arguments} {{ green yellow red cases {{ light case {{ id }} }} pageInfo {{ hasNextPage endCursor }} }} }}", token: _supervisor);
        Assert.True(response.Errors is null, response.ToString());
        return response.Data!["slaBoard"]!;
    }

    [Fact]
    public async Task Counts_cover_every_case_and_pages_run_red_first_then_soonest_due_without_repeats()
    {
        // Each filing clock turns yellow 24 working minutes after the report and red after 30.
        var red = await ReportAt(9, 0);     // due 09:30
        var yellow = await ReportAt(9, 10); // yellow from 09:34
        var greenSooner = await ReportAt(9, 20);
        var greenLater = await ReportAt(9, 30);
        At(9, 35);

        var whole = await Board("(first: 100)");
        Assert.Equal((1, 1, 2), (whole["red"]!.GetValue<int>(), whole["yellow"]!.GetValue<int>(), whole["green"]!.GetValue<int>()));
        Assert.Equal([red, yellow, greenSooner, greenLater], Ids(whole));
        Assert.Equal(["RED", "YELLOW", "GREEN", "GREEN"], whole["cases"]!.AsArray().Select(c => c!["light"]!.GetValue<string>()));
        Assert.False(whole["pageInfo"]!["hasNextPage"]!.GetValue<bool>());

        // One case a page: the same order, each once, and the counts on every page are the whole board's.
        var paged = new List<string>();
        string? after = null;
        for (var page = 0; page < 10; page++)
        {
            var board = await Board(after is null ? "(first: 1)" : $"(first: 1, after: \"{after}\")");
            Assert.Equal(1, board["red"]!.GetValue<int>());
            paged.AddRange(Ids(board));
            if (!board["pageInfo"]!["hasNextPage"]!.GetValue<bool>()) break;
            after = board["pageInfo"]!["endCursor"]!.GetValue<string>();
        }
        Assert.Equal([red, yellow, greenSooner, greenLater], paged);

        // No case is dispatched yet, so a department's board is empty.
        var department = await Board("(departmentCode: \"D01\")");
        Assert.Equal((0, 0, 0), (department["red"]!.GetValue<int>(), department["yellow"]!.GetValue<int>(), department["green"]!.GetValue<int>()));
        Assert.Empty(department["cases"]!.AsArray());
    }

    [Fact]
    public async Task A_cursor_not_from_the_board_is_refused_by_name()
    {
        var response = await _server.PostGraphQL("{ slaBoard(after: \"OXwwfG5vcGU=\") { red } }", token: _supervisor);
        var error = response.Errors!.AsArray().Single()!;
        Assert.Equal("VALIDATION_FAILED", error["extensions"]!["code"]!.GetValue<string>());
        Assert.Contains("not a cursor of slaBoard", error["message"]!.GetValue<string>());
    }

    private static List<string> Ids(JsonNode board) =>
        board["cases"]!.AsArray().Select(c => c!["case"]!["id"]!.GetValue<string>()).ToList();
}

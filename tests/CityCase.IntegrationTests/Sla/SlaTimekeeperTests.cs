using CityCase.Engine.Sla;
using CityCase.Engine.Live;
using CityCase.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace CityCase.IntegrationTests.Sla;

/// <summary>
/// Lights fire from durable timers exactly once per clock and level: not lost and not doubled across a
/// restart, and not at all when the stage ended first. Time is a FakeClock, never a sleep.
/// </summary>
public sealed class SlaTimekeeperTests : IAsyncLifetime
{
    // Tuesday 2026-11-24 09:00 in Shanghai.
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 11, 24, 1, 0));
    private readonly CityCaseServer _server;
    private readonly CaseClient _client;

    public SlaTimekeeperTests()
    {
        _server = CityCaseServer.OnClock(_clock);
        _client = new CaseClient(_server);
    }

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    private Task<int> Tick() => _server.RunTimekeeperOnceAsync();

    private void AdvanceTo(int hour, int minute) =>
        _clock.Reset(new LocalDateTime(2026, 11, 24, hour, minute).InZoneStrictly(DateTimeZoneProviders.Tzdb["Asia/Shanghai"]).ToInstant());

    private async Task<string> Report()
    {
        var response = await _server.PostGraphQL(Samples.ReportComplaint, Samples.Complaint(), CityCaseServer.Token("agent"));
        Assert.True(response.Errors is null, response.ToString());
        return response.Data!["reportComplaint"]!["case"]!["id"]!.GetValue<string>();
    }

    private async Task<List<string>> Lights(string caseId) =>
        (await _client.History(caseId))
            .Where(e => e!["type"]!.GetValue<string>() == "SlaLightChanged")
            .Select(e => System.Text.Json.Nodes.JsonNode.Parse(e!["data"]!.GetValue<string>())!)
            .Select(d => $"{d["clock"]!.GetValue<string>()} {d["light"]!.GetValue<string>()}")
            .ToList();

    [Fact]
    public async Task Yellow_then_red_exactly_once_and_not_again_after_a_restart()
    {
        var id = await Report();                               // filing: yellow at 09:24, due 09:30

        AdvanceTo(9, 23);
        await Tick();
        Assert.Empty(await Lights(id));

        AdvanceTo(9, 25);
        await Tick();
        await Tick();
        Assert.Equal(["Filing Yellow"], await Lights(id));

        AdvanceTo(9, 31);
        await Tick();
        Assert.Equal(["Filing Yellow", "Filing Red"], await Lights(id));

        await _server.RestartAsync();
        await Tick();
        await Tick();
        Assert.Equal(["Filing Yellow", "Filing Red"], await Lights(id));

        var board = await _server.PostGraphQL("{ slaBoard { red yellow green cases { light case { id } clocks { clock light remainingWorkingMinutes } } } }",
            token: CityCaseServer.Token("supervisor"));
        Assert.True(board.Errors is null, board.ToString());
        var entry = board.Data!["slaBoard"]!["cases"]!.AsArray().Single(c => c!["case"]!["id"]!.GetValue<string>() == id)!;
        Assert.Equal("RED", entry["light"]!.GetValue<string>());
        Assert.True(board.Data["slaBoard"]!["red"]!.GetValue<int>() >= 1);
        var filing = entry["clocks"]!.AsArray().Single(c => c!["clock"]!.GetValue<string>() == "FILING")!;
        Assert.Equal(-1, filing["remainingWorkingMinutes"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_supervisor_subscribed_with_graphql_ws_is_pushed_the_light()
    {
        var id = await Report();
        await using var ws = await Subscriptions.GraphQLWsClient.Start(_server.BaseAddress, CityCaseServer.Token("supervisor"),
            "subscription { slaAlerts { caseId caseNumber stage level dueAt } }");
        await ws.WaitFor("CONNECTED");
        await Eventually.Subscribed(_server, f => f.HasAlertSubscribers, () => ws.Output);

        AdvanceTo(9, 25);
        await Tick();

        var next = await ws.WaitFor("NEXT");
        Assert.Contains(id, next);
        Assert.Contains("\"stage\":\"FILING\"", next);
        Assert.Contains("\"level\":\"YELLOW\"", next);
        Assert.Contains("\"dueAt\":\"2026-11-24T01:30:00Z\"", next);
    }

    [Fact]
    public async Task A_timer_due_while_the_server_was_down_fires_once_it_is_back()
    {
        var id = await Report();
        await _server.RestartAsync(whileDown: () => AdvanceTo(9, 26));

        await Tick();
        await Tick();

        Assert.Equal(["Filing Yellow"], await Lights(id));
    }

    [Fact]
    public async Task A_stage_that_ended_first_turns_no_light()
    {
        var id = await Report();
        AdvanceTo(9, 10);
        await _client.Must("acceptCase", _client.Dispatcher, id, new { categoryCode = "1102", urgency = "NORMAL" });

        AdvanceTo(9, 35);                                      // filing would be red; dispatch (from 09:10) is yellow at 09:34
        await Tick();

        Assert.Equal(["Dispatch Yellow"], await Lights(id));
    }

    [Fact]
    public async Task Suspension_holds_the_lights_and_resumption_moves_the_deadline()
    {
        var id = await Report();
        await _client.Must("acceptCase", _client.Dispatcher, id, new { categoryCode = "1102", urgency = "NORMAL" });
        await _client.Must("suspendCase", _client.Dispatcher, id, new { reason = "Waiting for the owner" });

        AdvanceTo(11, 0);
        await Tick();
        Assert.Empty(await Lights(id));

        await _client.Must("resumeCase", _client.Dispatcher, id, new { reason = "Owner found" });
        await Tick();
        Assert.Empty(await Lights(id));                        // the dispatch clock got back the 2 working hours suspended

        var view = await _server.PostGraphQL("query($id: ID) { case(id: $id) { clocks { clock dueAt light } } }", new { id }, _client.Dispatcher);
        var dispatch = view.Data!["case"]!["clocks"]!.AsArray().Single(c => c!["clock"]!.GetValue<string>() == "DISPATCH")!;
        Assert.Equal("2026-11-24T03:30:00Z", dispatch["dueAt"]!.GetValue<string>());   // 11:30 local: 09:30 + 2 h
        Assert.Equal("GREEN", dispatch["light"]!.GetValue<string>());
    }

    private async Task<string> BoardLight(string caseId)
    {
        var board = await _server.PostGraphQL("{ slaBoard(first: 50) { cases { light case { id } } } }", token: CityCaseServer.Token("supervisor"));
        Assert.True(board.Errors is null, board.ToString());
        return board.Data!["slaBoard"]!["cases"]!.AsArray().Single(c => c!["case"]!["id"]!.GetValue<string>() == caseId)!["light"]!.GetValue<string>();
    }

    [Fact]
    public async Task A_suspended_overdue_case_sleeps_through_every_pass_and_after_resuming_gets_its_lights_once()
    {
        var id = await Report();
        await _client.Must("acceptCase", _client.Dispatcher, id, new { categoryCode = "1102", urgency = "NORMAL" }); // dispatch: yellow 09:24, due 09:30
        AdvanceTo(9, 40);                                      // overdue, no light recorded yet
        await _client.Must("suspendCase", _client.Dispatcher, id, new { reason = "Waiting for the owner" });

        foreach (var (hour, minute) in new[] { (9, 40), (10, 0), (11, 0) })
        {
            AdvanceTo(hour, minute);
            Assert.Equal(0, await Tick());                     // its timer is not due while the clock is paused, not even once
        }
        Assert.Empty(await Lights(id));
        Assert.Equal("GREEN", await BoardLight(id));           // still on the board, with the light recorded before the pause

        // 80 working minutes suspended: yellow 10:44, due 10:50, both already past at 11:00.
        await _client.Must("resumeCase", _client.Dispatcher, id, new { reason = "Owner found" });
        Assert.Equal(1, await Tick());                         // yellow
        Assert.Equal(1, await Tick());                         // red (one level per pass)
        Assert.Equal(0, await Tick());
        AdvanceTo(11, 30);
        Assert.Equal(0, await Tick());

        Assert.Equal(["Dispatch Yellow", "Dispatch Red"], await Lights(id));
        Assert.Equal("RED", await BoardLight(id));
    }
}

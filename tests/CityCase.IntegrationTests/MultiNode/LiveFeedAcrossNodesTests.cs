using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityCase.Engine.Live;
using CityCase.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace CityCase.IntegrationTests.MultiNode;

/// <summary>
/// Live subscriptions across nodes: a dashboard connected to node B is pushed what was done on node A, in order,
/// each once, within a second; one that reconnects says where it got to and misses nothing.
/// </summary>
public sealed class LiveFeedAcrossNodesTests
{
    // Tuesday 2026-11-24 09:00 in Shanghai.
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 11, 24, 1, 0));

    private void AdvanceTo(int hour, int minute) =>
        _clock.Reset(new LocalDateTime(2026, 11, 24, hour, minute).InZoneStrictly(DateTimeZoneProviders.Tzdb["Asia/Shanghai"]).ToInstant());

    /// <summary>A graphql-transport-ws session with one subscription, that notes when each message arrived.</summary>
    private sealed class Subscription : IAsyncDisposable
    {
        private readonly ClientWebSocket _socket;

        private Subscription(ClientWebSocket socket) => _socket = socket;

        public static async Task<Subscription> Open(CityCaseServer node, string token, string query, object variables)
        {
            var socket = await RawWebSocket.Connect(node.BaseAddress);
            await RawWebSocket.Send(socket, JsonSerializer.Serialize(new { type = "connection_init", payload = new { token } }));
            Assert.Contains("connection_ack", await RawWebSocket.Receive(socket));
            await RawWebSocket.Send(socket, JsonSerializer.Serialize(new { id = "1", type = "subscribe", payload = new { query, variables } }));
            return new Subscription(socket);
        }

        /// <summary>The next pushed value's data, or a failure naming what came instead.</summary>
        public async Task<JsonNode> Next(int seconds = 10)
        {
            var text = await RawWebSocket.Receive(_socket, seconds);
            var message = JsonNode.Parse(text)!;
            Assert.True(message["type"]!.GetValue<string>() == "next" && message["payload"]!["errors"] is null, text);
            return message["payload"]!["data"]!;
        }

        /// <summary>Whether anything at all arrives within the time (nothing should, after the last expected value).</summary>
        public async Task<string?> AnythingWithin(TimeSpan time)
        {
            try { return await RawWebSocket.Receive(_socket, (int)Math.Ceiling(time.TotalSeconds)); }
            catch (OperationCanceledException) { return null; }
        }

        public async ValueTask DisposeAsync()
        {
            try { await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None); } catch (WebSocketException) { }
            _socket.Dispose();
        }
    }

    [Fact]
    public async Task A_client_on_one_node_is_pushed_each_change_made_on_the_other_in_order_within_a_second()
    {
        await using var nodes = await TwoNodes.Start();
        var onA = new CaseClient(nodes.A);
        var (id, _) = await onA.Report("Changed on node A, watched from node B");
        // The client has seen the case as reported: node B's feed may pass the report on after the subscription arrives,
        // and a client that says what it has seen is not sent it again.
        var reported = (await onA.Case(id, "version"))["version"]!.GetValue<int>();

        var latencies = new List<TimeSpan>();
        var lastVersion = reported;
        const string watch = "subscription($id: ID!, $after: Int) { caseChanged(id: $id, afterVersion: $after) { id version supervisions } }";
        await using (var onB = await Subscription.Open(nodes.B, onA.Supervisor, watch, new { id, after = reported }))
        {
            await Eventually.Subscribed(nodes.B, f => f.HasChangeSubscribers);
            for (var i = 1; i <= 10; i++)
            {
                await onA.Must("superviseCase", onA.Supervisor, id, new { note = $"Chase {i}" });
                var done = Stopwatch.StartNew();
                var view = (await onB.Next())["caseChanged"]!;
                latencies.Add(done.Elapsed);
                Assert.Equal(i, view["supervisions"]!.GetValue<int>());
                Assert.True(view["version"]!.GetValue<int>() > lastVersion, view.ToJsonString());
                lastVersion = view["version"]!.GetValue<int>();
            }
            Assert.Null(await onB.AnythingWithin(TimeSpan.FromSeconds(1))); // each change once
        }
        latencies.Sort();
        Console.WriteLine($"Live feed across nodes: from node A's answer to node B's push, median {latencies[4].TotalMilliseconds:0} ms, " +
                          $"slowest {latencies[^1].TotalMilliseconds:0} ms over 10 changes");
        Assert.True(latencies[^1] < TimeSpan.FromSeconds(1), $"slowest push took {latencies[^1].TotalMilliseconds:0} ms");

        // Two changes while the client is away; it comes back with the version it saw and is sent the case as it is now.
        await onA.Must("superviseCase", onA.Supervisor, id, new { note = "While away 1" });
        await onA.Must("superviseCase", onA.Supervisor, id, new { note = "While away 2" });
        await using var again = await Subscription.Open(nodes.B, onA.Supervisor, watch, new { id, after = lastVersion });
        var caughtUp = (await again.Next())["caseChanged"]!;
        Assert.Equal(12, caughtUp["supervisions"]!.GetValue<int>());
        await Eventually.Subscribed(nodes.B, f => f.HasChangeSubscribers);
        await onA.Must("superviseCase", onA.Supervisor, id, new { note = "Back" });
        Assert.Equal(13, (await again.Next())["caseChanged"]!["supervisions"]!.GetValue<int>());
        Assert.Null(await again.AnythingWithin(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_dashboard_on_one_node_gets_the_lights_turned_on_the_other_and_those_it_missed_when_it_comes_back()
    {
        await using var nodes = await TwoNodes.Start(_clock);
        var onA = new CaseClient(nodes.A);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add((await onA.Report($"Light {i}")).Id); // filing: yellow at 09:24, red after 09:30

        const string alerts = "subscription($after: String) { slaAlerts(after: $after) { caseId stage level cursor } }";
        string lastCursor;
        await using (var onB = await Subscription.Open(nodes.B, onA.Supervisor, alerts, new { }))
        {
            await Eventually.Subscribed(nodes.B, f => f.HasAlertSubscribers);
            AdvanceTo(9, 25);
            Assert.Equal(3, await nodes.A.RunTimekeeperOnceAsync());
            var yellows = new List<JsonNode>();
            for (var i = 0; i < 3; i++) yellows.Add((await onB.Next())["slaAlerts"]!);
            Assert.All(yellows, a => Assert.Equal("YELLOW", a["level"]!.GetValue<string>()));
            Assert.Equal(ids.Order(), yellows.Select(a => a["caseId"]!.GetValue<string>()).Order());
            var cursors = yellows.Select(a => long.Parse(a["cursor"]!.GetValue<string>())).ToList();
            Assert.Equal(cursors.Order(), cursors); // in the order they were recorded
            Assert.Null(await onB.AnythingWithin(TimeSpan.FromSeconds(1)));
            lastCursor = cursors[^1].ToString();
        }

        // The reds turn while the dashboard is away.
        AdvanceTo(9, 31);
        Assert.Equal(3, await nodes.A.RunTimekeeperOnceAsync());
        await nodes.A.WaitForProjectionsAsync();

        await using var back = await Subscription.Open(nodes.B, onA.Supervisor, alerts, new { after = lastCursor });
        var reds = new List<JsonNode>();
        for (var i = 0; i < 3; i++) reds.Add((await back.Next())["slaAlerts"]!);
        Assert.All(reds, a => Assert.Equal("RED", a["level"]!.GetValue<string>()));
        Assert.Equal(ids.Order(), reds.Select(a => a["caseId"]!.GetValue<string>()).Order());
        Assert.Null(await back.AnythingWithin(TimeSpan.FromSeconds(1))); // none doubled by the live feed
    }

    [Fact]
    public async Task A_cursor_that_is_not_one_is_refused_by_name()
    {
        await using var nodes = await TwoNodes.Start();
        var supervisor = CityCaseServer.Token("supervisor", "sue");
        await using var socket = await Subscription.Open(nodes.B, supervisor, "subscription { slaAlerts(after: \"yesterday\") { caseId } }", new { });
        var answer = await socket.AnythingWithin(TimeSpan.FromSeconds(10));
        var error = JsonNode.Parse(answer!)!["payload"]![0]!;
        Assert.StartsWith("after: 'yesterday' is not an alert cursor", error["message"]!.GetValue<string>());
        Assert.Equal("VALIDATION_FAILED", error["extensions"]!["code"]!.GetValue<string>());
    }

    /// <summary>Two API nodes on one PostgreSQL, started the same way (and on one test clock, if given).</summary>
    private sealed class TwoNodes : IAsyncDisposable
    {
        public required CityCaseServer A { get; init; }
        public required CityCaseServer B { get; init; }

        public static async Task<TwoNodes> Start(IClock? clock = null)
        {
            string[] arguments = clock is null ? [] : ["--Sla:PollSeconds", "0"];
            var a = new CityCaseServer { Clock = clock, Arguments = arguments };
            await a.InitializeAsync();
            var b = new CityCaseServer { Clock = clock, Arguments = arguments, SharedDatabase = a.ConnectionString };
            await b.InitializeAsync();
            return new TwoNodes { A = a, B = b };
        }

        public async ValueTask DisposeAsync()
        {
            await B.DisposeAsync();
            await A.DisposeAsync();
        }
    }
}

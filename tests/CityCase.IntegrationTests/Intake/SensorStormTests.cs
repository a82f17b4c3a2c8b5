using System.Text.Json;
using System.Text.Json.Nodes;
using CityCase.Engine.Intake;
using CityCase.IntegrationTests.Hosting;
using CityCase.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using Npgsql;

namespace CityCase.IntegrationTests.Intake;

/// <summary>
/// A bounded sensor storm over a real broker: a burst from 50 sensors behind 5 gateways, each sensor's first alarm and
/// its repeats mixed with redeliveries of the same idempotency key, ends with one case per sensor and every repeat
/// counted once, as the case views (read over GraphQL) and the events say; and a server killed (SIGKILL) in the
/// middle of a burst loses and doubles nothing once it is back.
/// </summary>
[Collection(MultiNode.MultiNodeCollection.Name)] // the kill test runs server processes: one such test at a time
public sealed class SensorStormTests
{
    private const int Gateways = 5;

    private static string Alarm(string sensor, string key, string severity = "HIGH") => JsonSerializer.Serialize(new
    {
        signal = "alarm", sensorId = sensor, alarmType = "smoke", severity,
        location = new { longitude = 121.4737, latitude = 31.2304 }, idempotencyKey = key,
    });

    /// <summary>
    /// Each sensor's signals (its first alarm, then <paramref name="repeats"/> more, each with a key of its own), with every
    /// third one sent again under the same key, as a device does when it did not hear the broker's acknowledgement.
    /// Sensors are interleaved so that a batch holds many sensors.
    /// </summary>
    private static List<(int Gateway, string Correlation, string Payload)> Burst(int sensors, int repeats, string run)
    {
        var burst = new List<(int, string, string)>();
        for (var round = 0; round <= repeats; round++)
            for (var s = 0; s < sensors; s++)
            {
                var payload = Alarm($"SD-{s:000}", $"{run}-{s}-{round}", round == repeats ? "CRITICAL" : "HIGH");
                burst.Add((s % Gateways, $"{s}-{round}", payload));
                if ((s + round) % 3 == 0) burst.Add((s % Gateways, $"{s}-{round}-again", payload));
            }
        return burst;
    }

    private static async Task<MqttDevice[]> ConnectGateways(Mosquitto broker) =>
        await Task.WhenAll(Enumerable.Range(0, Gateways).Select(g => MqttDevice.Connect(broker, $"gw-{g}")));

    private static Task PublishAll(MqttDevice[] gateways, IEnumerable<(int Gateway, string Correlation, string Payload)> burst) =>
        Task.WhenAll(burst.Select(async m =>
        {
            var published = await gateways[m.Gateway].Publish(m.Payload, m.Correlation);
            Assert.Equal(MqttClientPublishReasonCode.Success, published.ReasonCode);
        }));


    private const string SensorCases = "select count(*) from citycase.mt_events where type = 'case_reported' and data->'sensor' is not null";

    /// <summary>Repeats as counted by the events (one event may count several; older events count one).</summary>
    private const string RepeatsCounted =
        "select coalesce(sum(coalesce((data->>'count')::int, 1)), 0) from citycase.mt_events where type = 'sensor_alarm_repeated'";

    [Fact]
    public async Task A_burst_of_new_alarms_repeats_and_redeliveries_files_one_case_per_sensor_and_counts_every_repeat_once()
    {
        const int sensors = 50, repeats = 5;
        string[] devices = [.. Enumerable.Range(0, Gateways).Select(g => $"gw-{g}")];
        await using var broker = await Mosquitto.StartAsync(devices);
        var node = new CityCaseServer { Arguments = [.. broker.ServerArguments, "--Mqtt:ClientId", $"node-{Guid.NewGuid():N}"] };
        await node.InitializeAsync();
        try
        {
            await node.Services.GetRequiredService<MqttSensorIngest>().Subscribed.WaitAsync(TimeSpan.FromSeconds(20));
            var gateways = await ConnectGateways(broker);
            var burst = Burst(sensors, repeats, "burst");
            Assert.InRange(burst.Count, 350, 450); // 300 alarms and their redeliveries

            var finals = burst.Select(m => gateways[m.Gateway].FinalAnswer(m.Correlation)).ToList();
            var received = burst.Select(m => gateways[m.Gateway].ReceivedAnswer(m.Correlation)).ToList();
            await PublishAll(gateways, burst);
            var answers = await Task.WhenAll(finals).WaitAsync(TimeSpan.FromSeconds(30));
            await Task.WhenAll(received).WaitAsync(TimeSpan.FromSeconds(5)); // every one was told "received" too

            // Of each sensor's 6 alarms one filed the case and 5 were folded; each redelivery replayed its first copy.
            var statuses = answers.GroupBy(a => a["status"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(sensors, statuses.GetValueOrDefault("filed"));
            Assert.Equal(sensors * repeats, statuses.GetValueOrDefault("folded"));
            Assert.Equal(burst.Count - sensors * (repeats + 1), statuses.GetValueOrDefault("replayed"));
            Assert.Equal(burst.Count, answers.Length);
            foreach (var (message, answer) in burst.Zip(answers)) // a redelivery answers with its sensor's case
                Assert.Equal(answers[burst.FindIndex(m => m.Payload == message.Payload)]["caseNumber"]!.GetValue<string>(),
                    answer["caseNumber"]!.GetValue<string>());

            // The case views, read over GraphQL as a dispatcher would: 50 sensor cases, each counting 5 repeats.
            var page = await node.PostGraphQL("""
                { cases(filter: { source: SENSOR }, first: 100) { edges { node { number sensorRepeats } } pageInfo { hasNextPage } } }
                """, token: CityCaseServer.Token("dispatcher", "dan"));
            Assert.Null(page.Errors);
            var views = page.Data!["cases"]!["edges"]!.AsArray().Select(e => e!["node"]!).ToList();
            Assert.Equal(sensors, views.Count);
            Assert.All(views, v => Assert.Equal(repeats, v["sensorRepeats"]!.GetValue<int>()));
            Assert.Equal(sensors, await TestPostgres.ScalarAsync(node.ConnectionString, SensorCases));
            Assert.Equal(sensors * repeats, await TestPostgres.ScalarAsync(node.ConnectionString, RepeatsCounted));
            // Repeats that arrived together were folded into fewer events than alarms, and the inbox is empty.
            Assert.True(await TestPostgres.ScalarAsync(node.ConnectionString, "select count(*) from citycase.mt_events where type = 'sensor_alarm_repeated'")
                        <= sensors * repeats);
            Assert.Equal(0, await TestPostgres.ScalarAsync(node.ConnectionString, "select count(*) from citycase.cc_sensor_inbox"));
            foreach (var gateway in gateways) await gateway.DisposeAsync();
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_server_killed_in_the_middle_of_a_burst_loses_and_doubles_nothing_once_it_is_back()
    {
        const int sensors = 100, repeats = 5;
        string[] devices = [.. Enumerable.Range(0, Gateways).Select(g => $"gw-{g}")];
        await using var broker = await Mosquitto.StartAsync(devices);
        var database = await TestPostgres.CreateDatabaseAsync("storm");
        var workingDirectory = Directory.CreateTempSubdirectory("citycase-storm-").FullName;
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Marten"] = database, ["Mqtt__Host"] = "127.0.0.1", ["Mqtt__Port"] = broker.Port.ToString(),
            ["Mqtt__Username"] = Mosquitto.CityCaseUser, ["Mqtt__Password"] = Mosquitto.Password,
            ["Mqtt__ClientId"] = "storm-node", // the same after the restart: the broker gives back what it had not had acknowledged
            ["Mqtt__FoldBatchSize"] = "100", // smaller batches, so that the kill falls between folds
        };

        async Task<ServerProcess> Start()
        {
            var (node, _) = await ServerProcess.StartNodeAsync(workingDirectory, environment);
            Assert.NotNull(await node.WaitForLine(l => l.Contains("MQTT ingest subscribed"), TimeSpan.FromSeconds(20)));
            return node;
        }

        var node = await Start();
        try
        {
            var gateways = await ConnectGateways(broker);
            var burst = Burst(sensors, repeats, "kill");
            var publishing = PublishAll(gateways, burst);
            // Killed once the first cases are filed: some signals folded, some stored but not folded, some maybe not yet taken.
            await Eventually.WaitUntil(async () => await TestPostgres.ScalarAsync(database, SensorCases) > 0, TimeSpan.FromSeconds(20),
                "the first cases filed", pollMilliseconds: 5);
            await node.DisposeAsync(); // SIGKILL
            var (casesBeforeKill, repeatsBeforeKill) = (await TestPostgres.ScalarAsync(database, SensorCases), await TestPostgres.ScalarAsync(database, RepeatsCounted));
            var storedNotFolded = await TestPostgres.ScalarAsync(database, "select count(*) from citycase.cc_sensor_inbox");
            await publishing; // the broker has every message (it acknowledged each to its gateway)

            node = await Start();
            try
            {
                await Eventually.WaitUntil(async () => await TestPostgres.ScalarAsync(database, "select count(*) from citycase.cc_sensor_inbox") == 0
                                                       && await TestPostgres.ScalarAsync(database, RepeatsCounted) >= sensors * repeats,
                    TimeSpan.FromSeconds(30), "the rest of the burst folded after the restart");
            }
            catch (Exception)
            {
                Console.WriteLine($"Before the kill: {casesBeforeKill} cases, {repeatsBeforeKill} repeats, {storedNotFolded} stored; now " +
                                  $"{await TestPostgres.ScalarAsync(database, SensorCases)} cases, {await TestPostgres.ScalarAsync(database, RepeatsCounted)} repeats, " +
                                  $"{await TestPostgres.ScalarAsync(database, "select count(*) from citycase.cc_sensor_inbox")} stored\n{node.Output}");
                throw;
            }
            await Task.Delay(1000); // anything still to come (a double) would land now
            Assert.Equal(sensors, await TestPostgres.ScalarAsync(database, SensorCases));
            Assert.Equal(sensors * repeats, await TestPostgres.ScalarAsync(database, RepeatsCounted));
            Assert.Equal(0, await TestPostgres.ScalarAsync(database, "select count(*) from citycase.cc_sensor_inbox"));
            Assert.True(repeatsBeforeKill < sensors * repeats, "the kill fell after the burst was folded: it tested nothing");
            Console.WriteLine($"Sensor storm kill: before it {casesBeforeKill} cases, {repeatsBeforeKill} repeats and {storedNotFolded} signals " +
                              $"stored but not folded; after the restart exactly {sensors} cases and {sensors * repeats} repeats");
            foreach (var gateway in gateways) await gateway.DisposeAsync();
        }
        finally
        {
            await node.DisposeAsync();
        }
    }
}

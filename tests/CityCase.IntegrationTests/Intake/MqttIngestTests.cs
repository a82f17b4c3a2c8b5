using System.Text.Json;
using System.Text.Json.Nodes;
using CityCase.Engine.Intake;
using CityCase.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;
using Npgsql;

namespace CityCase.IntegrationTests.Intake;

/// <summary>
/// Sensors' MQTT channel against a real broker (mosquitto): an alarm files a case, a repeat folds into it, an
/// idempotency key replays, a bad message is refused by name, a device cannot speak for another, and with two
/// nodes each message is handled once.
/// </summary>
public sealed class MqttIngestTests
{
    private static object Alarm(string sensor, string? key = null) => new
    {
        signal = "alarm", sensorId = sensor, alarmType = "water-level", severity = "HIGH",
        location = new { longitude = 121.4737, latitude = 31.2304 }, idempotencyKey = key,
    };

    private static async Task<CityCaseServer> StartNode(Mosquitto broker, string? database = null)
    {
        var node = new CityCaseServer { Arguments = [.. broker.ServerArguments, "--Mqtt:ClientId", $"node-{Guid.NewGuid():N}"], SharedDatabase = database };
        await node.InitializeAsync();
        await node.Services.GetRequiredService<MqttSensorIngest>().Subscribed.WaitAsync(TimeSpan.FromSeconds(20));
        return node;
    }


    [Fact]
    public async Task An_alarm_files_a_case_a_repeat_folds_into_it_a_key_replays_and_a_clear_is_recorded()
    {
        await using var broker = await Mosquitto.StartAsync("gateway-7");
        var node = await StartNode(broker);
        try
        {
            await using var device = await MqttDevice.Connect(broker, "gateway-7");
            var filed = await device.Send(Alarm("WL-0001", key: "reading-1"));
            Assert.True(filed["error"] is null, filed.ToJsonString());
            Assert.Equal("filed", filed["status"]!.GetValue<string>());
            // Told twice: "received" once stored (with its receipt number), then what it came to, under the same receipt.
            var (correlation, first) = device.Answers.First();
            Assert.Equal("received", first["status"]!.GetValue<string>());
            Assert.Equal(first["receipt"]!.GetValue<long>(), filed["receipt"]!.GetValue<long>());
            var caseNumber = filed["caseNumber"]!.GetValue<string>();
            Assert.False(filed["deduplicated"]!.GetValue<bool>());

            var again = await device.Send(Alarm("WL-0001", key: "reading-1")); // the same message sent twice
            Assert.Equal((caseNumber, true), (again["caseNumber"]!.GetValue<string>(), again["replayed"]!.GetValue<bool>()));
            var repeat = await device.Send(Alarm("WL-0001", key: "reading-2"));
            Assert.Equal((caseNumber, true), (repeat["caseNumber"]!.GetValue<string>(), repeat["deduplicated"]!.GetValue<bool>()));
            Assert.Equal("folded", repeat["status"]!.GetValue<string>());
            var cleared = await device.Send(new { signal = "clear", sensorId = "WL-0001", alarmType = "water-level" });
            Assert.Equal((caseNumber, "cleared"), (cleared["caseNumber"]!.GetValue<string>(), cleared["status"]!.GetValue<string>()));

            var caseId = filed["caseId"]!.GetValue<string>();
            var client = new CaseClient(node);
            Assert.Equal(1, await client.EventsOf(caseId, "sensor_alarm_repeated"));
            Assert.Equal(1, await client.EventsOf(caseId, "sensor_alarm_cleared"));
            var history = await client.History(caseId);
            Assert.Equal("gateway-7", history[0]!["actor"]!["userId"]!.GetValue<string>()); // the device is the topic's login
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_bad_message_is_refused_by_name_and_appends_nothing_and_a_device_cannot_speak_for_another()
    {
        await using var broker = await Mosquitto.StartAsync("gateway-1", "gateway-2");
        var node = await StartNode(broker);
        try
        {
            await using var device = await MqttDevice.Connect(broker, "gateway-1");
            var events = await TestPostgres.ScalarAsync(node.ConnectionString, "select count(*) from citycase.mt_events");
            foreach (var (message, named) in new (object Message, string Named)[]
                     {
                         ("{ not json", "not JSON"),
                         ("[1, 2]", "must be a JSON object"),
                         (new { signal = "alarm", sensorId = "S-1", alarmType = "smoke", severity = "HIGH" }, "location is missing"),
                         (new { signal = "explode", sensorId = "S-1", alarmType = "smoke" }, "signal 'explode' is neither 'alarm' nor 'clear'"),
                         (new { signal = "clear", sensorId = "S-404", alarmType = "smoke" }, "No open case for sensor S-404"),
                         (new { signal = "alarm", sensorId = "S-1", alarmType = "smoke", severity = "HIGH", location = new { longitude = 200, latitude = 0 } }, "location.longitude must be between -180 and 180"),
                     })
            {
                var answer = await device.Send(message);
                Assert.True(answer["error"] is not null, answer.ToJsonString());
                Assert.Contains(named, answer["error"]!["message"]!.GetValue<string>());
                // Bad input is refused on arrival, nothing stored (no receipt); a clear is refused once folded.
                Assert.Equal(named.StartsWith("No open case"), answer["receipt"] is not null);
            }
            Assert.Equal(events, await TestPostgres.ScalarAsync(node.ConnectionString, "select count(*) from citycase.mt_events"));

            // The broker refuses gateway-1's signal on gateway-2's topic: it never reaches CityCase.
            var spoofed = await device.Publish(JsonSerializer.Serialize(Alarm("S-2")), "spoof", topic: "citycase/devices/gateway-2/signals");
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, spoofed.ReasonCode);
            await Task.Delay(500);
            Assert.Equal(events, await TestPostgres.ScalarAsync(node.ConnectionString, "select count(*) from citycase.mt_events"));
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task With_two_nodes_each_alarm_is_handled_once()
    {
        await using var broker = await Mosquitto.StartAsync("gateway-a", "gateway-b");
        var first = await StartNode(broker);
        var second = await StartNode(broker, first.ConnectionString);
        try
        {
            await using var a = await MqttDevice.Connect(broker, "gateway-a");
            await using var b = await MqttDevice.Connect(broker, "gateway-b");
            var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? a : b).Send(Alarm($"S-{i:000}"))));
            Assert.All(answers, answer => Assert.True(answer["error"] is null, answer.ToJsonString()));
            Assert.Equal(40, answers.Select(x => x["caseNumber"]!.GetValue<string>()).Distinct().Count());
            Assert.Equal(40, await TestPostgres.ScalarAsync(first.ConnectionString, "select count(*) from citycase.mt_events where type = 'case_reported'"));
            // Handled twice, an alarm would have been folded into its own case as a repeat.
            Assert.Equal(0, await TestPostgres.ScalarAsync(first.ConnectionString, "select count(*) from citycase.mt_events where type = 'sensor_alarm_repeated'"));
        }
        finally
        {
            await second.DisposeAsync();
            await first.DisposeAsync();
        }
    }
}

using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.Lifecycle;

/// <summary>Real parallel HTTP requests against one case, one key, one sensor.</summary>
public sealed class ConcurrencyTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private readonly CaseClient _client = new(server);

    [Fact]
    public async Task A_stale_expected_version_is_a_conflict_and_appends_nothing()
    {
        var (id, _) = await _client.Report();
        var (_, version) = await _client.Must("acceptCase", _client.Dispatcher, id, new { categoryCode = "1102", urgency = "NORMAL" });
        var before = await _client.EventsOf(id);

        var stale = await _client.Do("dispatchCase", _client.Dispatcher, id, expectedVersion: version - 1);
        Assert.Equal("CONCURRENCY_CONFLICT", stale.FirstErrorCode);
        Assert.Contains($"version {version}, not {version - 1}", stale.FirstErrorMessage);
        Assert.Equal(before, await _client.EventsOf(id));

        var current = await _client.Do("dispatchCase", _client.Dispatcher, id, expectedVersion: version);
        Assert.Null(current.Errors);
        Assert.Equal(1, await _client.EventsOf(id, "case_dispatched"));
    }

    [Fact]
    public async Task Two_truly_parallel_dispatches_of_one_case_make_exactly_one_dispatch()
    {
        for (var round = 0; round < 5; round++)
        {
            var (id, _) = await _client.Report($"Parallel dispatch {round}");
            await _client.Must("acceptCase", _client.Dispatcher, id, new { categoryCode = "1102", urgency = "URGENT" });

            using var start = new Barrier(2);
            var responses = await Task.WhenAll(new[] { "D01", "D06" }.Select(department => Task.Run(() =>
            {
                start.SignalAndWait();
                return _client.Do("dispatchCase", _client.Dispatcher, id, new { departmentCode = department });
            })));

            Assert.Single(responses, r => r.Errors is null);
            Assert.Single(responses, r => r.FirstErrorCode is "CONCURRENCY_CONFLICT" or "INVALID_TRANSITION");
            var history = await _client.History(id);
            Assert.Single(history, e => e!["type"]!.GetValue<string>() == "CaseDispatched");
        }
    }

    [Fact]
    public async Task Concurrent_identical_intakes_with_one_idempotency_key_make_one_case_and_one_event()
    {
        var key = $"call-{Guid.NewGuid():N}";
        var before = await server.CountEvents("case_reported");

        var cases = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            _client.Report("Noise from a building site at night", idempotencyKey: key))));

        Assert.Single(cases.Select(c => c.Id).Distinct());
        Assert.Equal(before + 1, await server.CountEvents("case_reported"));
        var eventsOfTheCase = await _client.EventsOf(cases[0].Id);
        // A retry hours later repeats the request exactly (a different request with the key is refused: IdempotencyKeyTests).
        Assert.Equal(cases[0], await _client.Report("Noise from a building site at night", idempotencyKey: key));
        Assert.Equal(before + 1, await server.CountEvents("case_reported"));
        Assert.Equal(eventsOfTheCase, await _client.EventsOf(cases[0].Id));
    }

    [Fact]
    public async Task A_storm_of_sensor_alarms_folds_into_one_case_until_it_closes()
    {
        var sensor = $"WL-{Guid.NewGuid():N}"[..12];
        const string raise = """
            mutation($input: RaiseSensorAlarmInput!) { raiseSensorAlarm(input: $input) { deduplicated case { id number sensorRepeats } } }
            """;
        object Alarm(string severity) => new
        {
            input = new { sensorId = sensor, alarmType = "WATER_LEVEL", severity, location = new { longitude = 121.4800, latitude = 31.2330 } },
        };

        var storm = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            server.PostGraphQL(raise, Alarm(i % 2 == 0 ? "HIGH" : "CRITICAL"), _client.Device))));

        Assert.All(storm, r => Assert.Null(r.Errors));
        var ids = storm.Select(r => r.Data!["raiseSensorAlarm"]!["case"]!["id"]!.GetValue<string>()).Distinct().ToList();
        var id = Assert.Single(ids);
        Assert.Equal(9, storm.Count(r => r.Data!["raiseSensorAlarm"]!["deduplicated"]!.GetValue<bool>()));
        Assert.Equal(9, (await _client.Case(id, "sensorRepeats"))["sensorRepeats"]!.GetValue<int>());
        Assert.Equal(1, await _client.EventsOf(id, "case_reported"));
        Assert.Equal(9, await _client.EventsOf(id, "sensor_alarm_repeated"));

        var cleared = await server.PostGraphQL(
            "mutation($input: ClearSensorAlarmInput!) { clearSensorAlarm(input: $input) { case { id version } } }",
            new { input = new { sensorId = sensor, alarmType = "WATER_LEVEL" } }, _client.Device);
        Assert.Equal(id, cleared.Data!["clearSensorAlarm"]!["case"]!["id"]!.GetValue<string>());

        await _client.Must("voidCase", _client.Dispatcher, id, new { reason = "Sensor test" });
        var after = await server.PostGraphQL(raise, Alarm("HIGH"), _client.Device);
        Assert.False(after.Data!["raiseSensorAlarm"]!["deduplicated"]!.GetValue<bool>());
        Assert.NotEqual(id, after.Data!["raiseSensorAlarm"]!["case"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_sensor_retry_with_its_idempotency_key_is_answered_once()
    {
        var sensor = $"SM-{Guid.NewGuid():N}"[..12];
        var body = new
        {
            input = new
            {
                sensorId = sensor, alarmType = "SMOKE", severity = "HIGH", idempotencyKey = $"{sensor}-1",
                location = new { longitude = 121.4750, latitude = 31.2330 },
            },
        };
        const string raise = "mutation($input: RaiseSensorAlarmInput!) { raiseSensorAlarm(input: $input) { deduplicated case { id version } } }";

        var first = await server.PostGraphQL(raise, body, _client.Device);
        var retry = await server.PostGraphQL(raise, body, _client.Device);

        Assert.True(first.Errors is null, first.ToString());
        Assert.True(retry.Errors is null, retry.ToString());
        var id = first.Data!["raiseSensorAlarm"]!["case"]!["id"]!.GetValue<string>();
        Assert.Equal(id, retry.Data!["raiseSensorAlarm"]!["case"]!["id"]!.GetValue<string>());
        Assert.Equal(1, await _client.EventsOf(id, "case_reported"));
        Assert.Equal(0, await _client.EventsOf(id, "sensor_alarm_repeated"));
    }

    [Fact]
    public async Task Only_devices_raise_alarms_and_clearing_an_unknown_alarm_is_not_found()
    {
        var byAgent = await server.PostGraphQL(
            "mutation { raiseSensorAlarm(input: {sensorId: \"S\", alarmType: \"SMOKE\", severity: \"HIGH\", location: {longitude: 121.48, latitude: 31.233}}) { deduplicated } }",
            token: _client.Agent);
        var unknown = await server.PostGraphQL(
            "mutation { clearSensorAlarm(input: {sensorId: \"nobody\", alarmType: \"SMOKE\"}) { case { id } } }", token: _client.Device);

        Assert.Equal("FORBIDDEN", byAgent.FirstErrorCode);
        Assert.Equal("NOT_FOUND", unknown.FirstErrorCode);
    }
}

using NodaTime;
using NodaTime.Testing;

namespace CityCase.IntegrationTests.Infrastructure;

/// <summary>
/// A busy scripted day through the GraphQL API, the same every time (a seeded random walk over the
/// loop's paths): closes, returns, extensions, rework, suspensions, voids, rejections, merges, patrol
/// findings, sensor alarms and cases left to run red. Time is a FakeClock moved a few minutes per step.
/// </summary>
public sealed class BusyDay(CityCaseServer server, FakeClock clock)
{
    private static readonly DateTimeZone Shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
    private static readonly string[] Categories = ["1101", "0105", "0201", "1102"];
    private readonly CaseClient _client = new(server);
    private readonly Random _random = new(20261124);
    private readonly List<(string Id, string Category)> _openReported = [];

    public static Instant Start => new LocalDateTime(2026, 11, 24, 8, 30).InZoneStrictly(Shanghai).ToInstant();

    public int Cases { get; private set; }

    private void Tick() => clock.Advance(Duration.FromMinutes(1 + _random.Next(4)));

    private async Task Must(string mutation, string token, string id, object? fields = null)
    {
        Tick();
        await _client.Must(mutation, token, id, fields);
    }

    public async Task PlayAsync(int cases)
    {
        clock.Reset(Start);
        for (var i = 0; i < cases; i++)
        {
            await PlayOneAsync(i);
            Cases++;
            if (i % 8 == 7) { await server.RunTimekeeperOnceAsync(); await server.RunTimekeeperOnceAsync(); }
        }
        clock.Advance(Duration.FromHours(20)); // into the next morning: the open cases' clocks run red
        await server.RunTimekeeperOnceAsync();
        await server.RunTimekeeperOnceAsync();
    }

    private async Task PlayOneAsync(int i)
    {
        var category = Categories[_random.Next(Categories.Length)];
        var longitude = 121.4705 + _random.NextDouble() * 0.011;
        var latitude = 31.2303 + _random.NextDouble() * 0.0074;
        var path = i % 11;
        var dan = _client.Dispatcher;

        if (path == 7)
        {
            Tick();
            var patrol = await server.PostGraphQL("""
                mutation($input: ReportPatrolFindingInput!) { reportPatrolFinding(input: $input) { case { id departmentCode } } }
                """, new { input = new { description = $"Patrol finding {i}", categoryCode = category, location = new { longitude, latitude } } }, _client.Inspector);
            Assert.True(patrol.Errors is null, patrol.ToString());
            await Must("dispatchCase", dan, patrol.Data!["reportPatrolFinding"]!["case"]!["id"]!.GetValue<string>());
            return;
        }
        if (path == 8)
        {
            Tick();
            object alarm(string severity) => new { input = new { sensorId = $"manhole-{i}", alarmType = "TILT", severity, location = new { longitude, latitude } } };
            const string raise = "mutation($input: RaiseSensorAlarmInput!) { raiseSensorAlarm(input: $input) { deduplicated } }";
            Assert.Null((await server.PostGraphQL(raise, alarm("HIGH"), _client.Device)).Errors);
            Tick();
            Assert.Null((await server.PostGraphQL(raise, alarm("CRITICAL"), _client.Device)).Errors);
            Tick();
            Assert.Null((await server.PostGraphQL("mutation($input: ClearSensorAlarmInput!) { clearSensorAlarm(input: $input) { case { id } } }",
                new { input = new { sensorId = $"manhole-{i}", alarmType = "TILT" } }, _client.Device)).Errors);
            return;
        }

        Tick();
        var (id, _) = await _client.Report($"Complaint {i}", longitude, latitude);
        if (path == 6) { await Must("rejectCase", _client.Agent, id, new { reason = "Not a city matter" }); return; }
        if (path == 10 && _openReported.FirstOrDefault(c => c.Category == category) is { Id: not null } original)
        {
            await Must("acceptCase", _client.Agent, id, new { categoryCode = category, urgency = "NORMAL" });
            await Must("mergeCase", dan, id, new { intoCaseId = original.Id });
            return;
        }
        var urgent = _random.Next(10) == 0;
        await Must("acceptCase", _client.Agent, id, new { categoryCode = category, urgency = urgent ? "URGENT" : "NORMAL" });
        if (_random.Next(2) == 0) await Must("notifyCitizen", _client.Agent, id, new { kind = "ACCEPTANCE", channel = "SMS" });
        if (path == 5) { await Must("voidCase", dan, id, new { reason = "Filed twice by mistake" }); return; }
        _openReported.Add((id, category));

        await Must("dispatchCase", dan, id);
        var department = (await _client.Case(id, "departmentCode"))["departmentCode"]!.GetValue<string>();
        var staff = CaseClient.Department(department);
        if (path == 1)
        {
            await Must("returnCase", staff, id, new { reason = "Not ours" });
            await Must("decideReturn", dan, id, new { approve = true });
            var other = department == "D01" ? "D06" : "D01";
            await Must("dispatchCase", dan, id, new { departmentCode = other });
            staff = CaseClient.Department(other);
        }
        await Must("signCase", staff, id);
        if (path == 9) return; // left to run red
        if (path == 4)
        {
            await Must("suspendCase", dan, id, new { reason = "Waiting for the owner" });
            if (_random.Next(2) == 0) await Must("resumeCase", dan, id, new { reason = "Owner found" });
            return;
        }
        if (path == 2)
        {
            await Must("requestExtension", staff, id, new { extraWorkingHours = 4.0, reason = "Parts on order" });
            await Must("decideExtension", dan, id, new { approve = _random.Next(3) > 0 });
        }
        await Must("reportDisposal", staff, id, new { result = "Done" });
        if (path == 3)
        {
            await Must("verifyDisposal", _client.Inspector, id, new { passed = false, note = "Not done" });
            await Must("reportDisposal", staff, id, new { result = "Done again" });
        }
        await Must("verifyDisposal", _client.Inspector, id, new { passed = true });
        await Must("closeCase", dan, id);
        _openReported.RemoveAll(c => c.Id == id);
        await Must("notifyCitizen", _client.Agent, id, new { kind = "COMPLETION", channel = "SMS" });
        await Must("recordSatisfaction", _client.Agent, id, new { score = 1 + _random.Next(5) });
    }
}

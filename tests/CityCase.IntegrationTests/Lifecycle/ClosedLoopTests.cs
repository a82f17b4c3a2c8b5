using System.Text.Json.Nodes;
using CityCase.IntegrationTests.Infrastructure;
using Snapshooter.Xunit;

namespace CityCase.IntegrationTests.Lifecycle;

/// <summary>A case played through the whole loop and its exceptions, over HTTP, against PostgreSQL.</summary>
public sealed class ClosedLoopTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private readonly CaseClient _client = new(server);

    [Fact]
    public async Task A_case_goes_through_return_extension_suspension_rework_and_close_and_its_history_tells_it_all()
    {
        var c = _client;
        var (id, number) = await c.Report("Road surface broken in front of the school", longitude: 121.4789, latitude: 31.2375);
        var roads = CaseClient.Department("D02");
        var transport = CaseClient.Department("D07");

        Assert.Equal("ACCEPTED", (await c.Must("acceptCase", c.Dispatcher, id, new { categoryCode = "0201", urgency = "NORMAL" })).Status);
        Assert.Equal("ACCEPTED", (await c.Must("notifyCitizen", c.Agent, id, new { kind = "ACCEPTANCE", channel = "SMS" })).Status);
        // Street 310101003 has its own rule for road damage: Transport, not Roads.
        Assert.Equal("DISPATCHED", (await c.Must("dispatchCase", c.Dispatcher, id)).Status);
        Assert.Equal("D07", (await c.Case(id))["departmentCode"]!.GetValue<string>());
        Assert.Equal("IN_PROGRESS", (await c.Must("signCase", transport, id)).Status);
        Assert.Equal("IN_PROGRESS", (await c.Must("returnCase", transport, id, new { reason = "Carriageway is Roads' work" })).Status);
        Assert.Equal("ACCEPTED", (await c.Must("decideReturn", c.Dispatcher, id, new { approve = true })).Status);
        Assert.Equal("DISPATCHED", (await c.Must("dispatchCase", c.Dispatcher, id, new { departmentCode = "D02" })).Status);
        Assert.Equal("IN_PROGRESS", (await c.Must("signCase", roads, id)).Status);
        await c.Must("requestExtension", roads, id, new { extraWorkingHours = 8.0, reason = "Asphalt plant closed" });
        await c.Must("decideExtension", c.Dispatcher, id, new { approve = true, note = "One day" });
        await c.Must("suspendCase", c.Dispatcher, id, new { reason = "School exams: no works" });
        Assert.True((await c.Case(id))["suspended"]!.GetValue<bool>());
        await c.Must("resumeCase", c.Dispatcher, id, new { reason = "Exams over" });
        Assert.Equal("DISPOSED", (await c.Must("reportDisposal", roads, id,
            new { result = "Patched", photoUrls = new[] { "https://photos.example/patch-1.jpg" } })).Status);
        Assert.Equal("IN_PROGRESS", (await c.Must("verifyDisposal", c.Inspector, id, new { passed = false, note = "Edges crumbling" })).Status);
        await c.Must("reportDisposal", roads, id, new { result = "Re-laid the whole square", photoUrls = Array.Empty<string>() });
        await c.Must("verifyDisposal", c.Inspector, id, new { passed = true });
        await c.Must("superviseCase", c.Supervisor, id, new { note = "Confirm the school is satisfied" });
        Assert.Equal("CLOSED", (await c.Must("closeCase", c.Dispatcher, id)).Status);
        await c.Must("notifyCitizen", c.Agent, id, new { kind = "COMPLETION", channel = "phone" });
        Assert.Equal("CLOSED", (await c.Must("recordSatisfaction", c.Agent, id, new { score = 5, comment = "Fast" })).Status);

        var view = await c.Case(id, "status reworks returns extensions supervisions satisfaction approvedExtraWorkingHours " +
                                    "acceptanceNotified completionNotified departmentCode gridCode communityCode streetCode urgency " +
                                    "timeline { acceptedAt dispatchedAt signedAt disposedAt verifiedAt closedAt suspendedAt resumedAt }");
        Assert.Equal((1, 1, 1, 1, 5), (view["reworks"]!.GetValue<int>(), view["returns"]!.GetValue<int>(),
            view["extensions"]!.GetValue<int>(), view["supervisions"]!.GetValue<int>(), view["satisfaction"]!.GetValue<int>()));
        Assert.Equal(8.0, view["approvedExtraWorkingHours"]!.GetValue<double>());
        Assert.Equal(("310101003001001", "310101003001", "310101003"), (view["gridCode"]!.GetValue<string>(),
            view["communityCode"]!.GetValue<string>(), view["streetCode"]!.GetValue<string>()));
        Assert.All(view["timeline"]!.AsObject(), p => Assert.NotNull(p.Value));

        var history = await c.History(id);
        Assert.Equal(Enumerable.Range(1, history.Count).Select(v => (long)v), history.Select(e => e!["version"]!.GetValue<long>()));
        Assert.True(history.Select(e => e!["sequence"]!.GetValue<long>()).Order().SequenceEqual(history.Select(e => e!["sequence"]!.GetValue<long>())));
        Snapshot.Match(Normalize(history, id, number));

        // Time travel: the case as it stood just after the first dispatch, and before it existed.
        var firstDispatch = history.First(e => e!["type"]!.GetValue<string>() == "CaseDispatched")!["timestamp"]!.GetValue<string>();
        var asOf = await server.PostGraphQL("query($id: ID!, $at: Instant!) { caseAsOf(id: $id, at: $at) { status departmentCode returns } }",
            new { id, at = firstDispatch }, c.Auditor);
        Assert.True(asOf.Errors is null, asOf.ToString());
        Assert.Equal(("DISPATCHED", "D07", 0), (asOf.Data!["caseAsOf"]!["status"]!.GetValue<string>(),
            asOf.Data["caseAsOf"]!["departmentCode"]!.GetValue<string>(), asOf.Data["caseAsOf"]!["returns"]!.GetValue<int>()));
        var before = await server.PostGraphQL("query($id: ID!) { caseAsOf(id: $id, at: \"2020-01-01T00:00:00Z\") { status } }",
            new { id }, c.Auditor);
        Assert.Null(before.Data!["caseAsOf"]);
    }

    /// <summary>What an auditor reads, without what differs from run to run (ids, numbers, times).</summary>
    private static List<string> Normalize(JsonArray history, string id, string number) =>
        history.Select(e =>
        {
            var data = JsonNode.Parse(e!["data"]!.GetValue<string>())!.AsObject();
            foreach (var volatileField in new[] { "caseId", "at", "reportedAt", "caseNumber", "startedAt", "yellowAt", "deadline" })
                data.Remove(volatileField);
            return $"{e["version"]} {e["type"]} by {e["actor"]!["userId"]} ({e["actor"]!["role"]}): {data.ToJsonString()}";
        }).ToList();

    [Fact]
    public async Task An_illegal_step_is_refused_naming_the_status_and_the_operation_and_appends_nothing()
    {
        var (id, _) = await _client.Report();
        var before = await _client.EventsOf(id);

        var response = await _client.Do("signCase", CaseClient.Department("D02"), id);

        Assert.Equal("INVALID_TRANSITION", response.FirstErrorCode);
        Assert.Contains("signCase", response.FirstErrorMessage);
        Assert.Contains("REPORTED", response.FirstErrorMessage);
        Assert.Equal(before, await _client.EventsOf(id));
    }

    [Fact]
    public async Task A_department_acts_only_on_its_own_cases_and_other_roles_not_at_all()
    {
        var (id, _) = await _client.Report(longitude: 121.4710, latitude: 31.2375);
        await _client.Must("acceptCase", _client.Dispatcher, id, new { categoryCode = "0105", urgency = "URGENT" });
        await _client.Must("dispatchCase", _client.Dispatcher, id); // street lamps: D03 by default
        var before = await _client.EventsOf(id);

        var wrongDepartment = await _client.Do("signCase", CaseClient.Department("D05"), id);
        var wrongRole = await _client.Do("dispatchCase", _client.Inspector, id);
        var noToken = await _client.Do("closeCase", null!, id);

        Assert.Equal("FORBIDDEN", wrongDepartment.FirstErrorCode);
        Assert.Contains("D03", wrongDepartment.FirstErrorMessage);
        Assert.Equal("FORBIDDEN", wrongRole.FirstErrorCode);
        Assert.Equal("UNAUTHENTICATED", noToken.FirstErrorCode);
        Assert.Equal(before, await _client.EventsOf(id));
        Assert.Equal("IN_PROGRESS", (await _client.Must("signCase", CaseClient.Department("D03"), id)).Status);
    }

    [Fact]
    public async Task Bad_input_on_a_command_is_refused_and_appends_nothing()
    {
        var (id, _) = await _client.Report();
        var before = await _client.EventsOf(id);

        var unknownCategory = await _client.Do("acceptCase", _client.Dispatcher, id, new { categoryCode = "9999", urgency = "NORMAL" });
        var badId = await _client.Do("rejectCase", _client.Dispatcher, "not-a-case", new { reason = "x" });
        var missing = await _client.Do("rejectCase", _client.Dispatcher, Guid.CreateVersion7().ToString(), new { reason = "x" });
        var emptyReason = await _client.Do("rejectCase", _client.Dispatcher, id, new { reason = "  " });

        Assert.Equal(("VALIDATION_FAILED", "VALIDATION_FAILED", "NOT_FOUND", "VALIDATION_FAILED"),
            (unknownCategory.FirstErrorCode, badId.FirstErrorCode, missing.FirstErrorCode, emptyReason.FirstErrorCode));
        Assert.Contains("9999", unknownCategory.FirstErrorMessage);
        Assert.Equal(before, await _client.EventsOf(id));
    }

    [Fact]
    public async Task A_location_outside_every_grid_is_refused()
    {
        var response = await server.PostGraphQL(Samples.ReportComplaint, Samples.Complaint("Somewhere else", 116.40, 39.90), _client.Agent);
        Assert.Equal("VALIDATION_FAILED", response.FirstErrorCode);
        Assert.Contains("outside every unit grid", response.FirstErrorMessage);
    }
}

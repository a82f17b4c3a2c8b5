using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using CityCase.Api.Access;
using CityCase.Api.GraphQL;
using CityCase.IntegrationTests.Infrastructure;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;

namespace CityCase.IntegrationTests.Access;

/// <summary>
/// The access policy, default deny: every operation the schema serves has an entry, every field with a citizen's
/// personal data has its rule, and every role (and none) gets exactly what the table says through HTTP and WebSocket,
/// appending nothing when refused.
/// </summary>
public sealed class AccessPolicyTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private static readonly string Nobody = "0198a0c4-0000-7000-8000-00000000b0d1"; // no such case

    /// <summary>One request per operation, with inputs that pass GraphQL's own checks and change nothing.</summary>
    private static readonly Dictionary<string, string> Documents = new()
    {
        ["Query.case"] = """{ case(number: "19990101-00001") { id } }""",
        ["Query.caseHistory"] = $$"""{ caseHistory(id: "{{Nobody}}") { type } }""",
        ["Query.caseAsOf"] = $$"""{ caseAsOf(id: "{{Nobody}}", at: "2026-11-30T00:00:00Z") { id } }""",
        ["Query.auditChain"] = $$"""{ auditChain(caseId: "{{Nobody}}") { intact } }""",
        ["Query.dispatchQueue"] = """{ dispatchQueue(departmentCode: "D02", first: 1) { edges { cursor } } }""",
        ["Query.cases"] = """{ cases(first: 1) { edges { cursor } } }""",
        ["Query.duplicateCandidates"] = $$"""{ duplicateCandidates(caseId: "{{Nobody}}") { distanceMeters } }""",
        ["Query.gridAt"] = """{ gridAt(longitude: 121.47, latitude: 31.23) { code } }""",
        ["Query.grids"] = """{ grids { code } }""",
        ["Query.categories"] = """{ categories { code } }""",
        ["Query.departments"] = """{ departments { code } }""",
        ["Query.slaBoard"] = """{ slaBoard { red } }""",
        ["Query.scorecards"] = """{ scorecards(dimension: DEPARTMENT, from: "2026-11-01", to: "2026-11-30") { subject } }""",
        ["Query.hotlineKpis"] = """{ hotlineKpis(from: "2026-11-01", to: "2026-11-30") { followUpRate } }""",
        ["Query.hotspots"] = """{ hotspots(level: GRID, from: "2026-11-01", to: "2026-11-30") { code } }""",
        ["Query.dailyIntake"] = """{ dailyIntake(from: "2026-11-01", to: "2026-11-30") { total } }""",
        ["Query.calendarHistory"] = """{ calendarHistory { version } }""",
        ["Query.contactReveals"] = """{ contactReveals(from: "2026-11-01T00:00:00Z", to: "2026-11-02T00:00:00Z") { reason } }""",
        ["Query.casesByCallerPhone"] = """{ casesByCallerPhone(phone: "13000000000") { id } }""",
        ["Mutation.eraseCitizenData"] = CaseMutation("eraseCitizenData", """reason: "x" """),
        ["Mutation.reportComplaint"] = """mutation { reportComplaint(input: { description: "", location: { longitude: 121.47, latitude: 31.23 } }) { case { id } } }""",
        ["Mutation.reportPatrolFinding"] = """mutation { reportPatrolFinding(input: { description: "", categoryCode: "0101", location: { longitude: 121.47, latitude: 31.23 } }) { case { id } } }""",
        ["Mutation.raiseSensorAlarm"] = """mutation { raiseSensorAlarm(input: { sensorId: "", alarmType: "X", severity: "HIGH", location: { longitude: 121.47, latitude: 31.23 } }) { deduplicated } }""",
        ["Mutation.clearSensorAlarm"] = """mutation { clearSensorAlarm(input: { sensorId: "", alarmType: "X" }) { case { id } } }""",
        ["Mutation.acceptCase"] = CaseMutation("acceptCase", """categoryCode: "0101", urgency: NORMAL"""),
        ["Mutation.rejectCase"] = CaseMutation("rejectCase", """reason: "x" """),
        ["Mutation.dispatchCase"] = CaseMutation("dispatchCase", ""),
        ["Mutation.signCase"] = CaseMutation("signCase", ""),
        ["Mutation.returnCase"] = CaseMutation("returnCase", """reason: "x" """),
        ["Mutation.requestExtension"] = CaseMutation("requestExtension", """extraWorkingHours: 1, reason: "x" """),
        ["Mutation.decideExtension"] = CaseMutation("decideExtension", "approve: true"),
        ["Mutation.suspendCase"] = CaseMutation("suspendCase", """reason: "x" """),
        ["Mutation.resumeCase"] = CaseMutation("resumeCase", """reason: "x" """),
        ["Mutation.reportDisposal"] = CaseMutation("reportDisposal", """result: "x" """),
        ["Mutation.verifyDisposal"] = CaseMutation("verifyDisposal", "passed: true"),
        ["Mutation.closeCase"] = CaseMutation("closeCase", ""),
        ["Mutation.voidCase"] = CaseMutation("voidCase", """reason: "x" """),
        ["Mutation.mergeCase"] = CaseMutation("mergeCase", $$"""intoCaseId: "{{Nobody}}" """),
        ["Mutation.sendCitizenNotice"] = CaseMutation("sendCitizenNotice", "kind: ACCEPTANCE"),
        ["Mutation.attachEvidence"] = CaseMutation("attachEvidence", """kind: REPORT, attachmentIds: [] """),
        ["Mutation.superviseCase"] = CaseMutation("superviseCase", """note: "x" """),
        ["Mutation.decideReturn"] = CaseMutation("decideReturn", "approve: true"),
        ["Mutation.requestSuspension"] = CaseMutation("requestSuspension", """reason: "x" """),
        ["Mutation.decideSuspension"] = CaseMutation("decideSuspension", "approve: true"),
        ["Mutation.reviewClosure"] = CaseMutation("reviewClosure", "approve: true"),
        ["Mutation.answerSupervision"] = CaseMutation("answerSupervision", """reply: "x" """),
        ["Mutation.reopenCase"] = CaseMutation("reopenCase", """reason: "x" """),
        ["Mutation.addCaseNote"] = CaseMutation("addCaseNote", """text: "x" """),
        ["Query.openSupervisions"] = """{ openSupervisions { total } }""",
        ["Mutation.assignVerification"] = CaseMutation("assignVerification", """inspectorUserId: "x" """),
        ["Mutation.assignCase"] = CaseMutation("assignCase", """assigneeUserId: "x" """),
        ["Mutation.addAssistingDepartment"] = CaseMutation("addAssistingDepartment", """departmentCode: "D01" """),
        ["Query.myTasks"] = """{ myTasks { assigned { id } } }""",
        ["Mutation.notifyCitizen"] = CaseMutation("notifyCitizen", """kind: ACCEPTANCE, channel: "SMS" """),
        ["Mutation.recordSatisfaction"] = CaseMutation("recordSatisfaction", "score: 5"),
        ["Mutation.revealCitizenContact"] = $$"""mutation { revealCitizenContact(input: { caseId: "{{Nobody}}", reason: "x" }) { caseNumber } }""",
        ["Mutation.reloadCalendar"] = """mutation { reloadCalendar { version } }""",
        ["Query.scorecardVersions"] = """{ scorecardVersions { version stage } }""",
        ["Mutation.switchScorecards"] = """mutation { switchScorecards(input: { version: 1 }) { version } }""", // the active one: changes nothing
        ["Query.verifyAudit"] = """{ verifyAudit { intact } }""",
        ["Query.auditAnchors"] = """{ auditAnchors(last: 1) { number } }""",
        ["Mutation.anchorAudit"] = """mutation { anchorAudit { refusal } }""", // signs an anchor, appends no event
        ["Subscription.slaAlerts"] = """subscription { slaAlerts { caseNumber } }""",
        ["Subscription.caseChanged"] = $$"""subscription { caseChanged(id: "{{Nobody}}") { id } }""",
    };

    private static string CaseMutation(string name, string fields) =>
        $$"""mutation { {{name}}(input: { caseId: "{{Nobody}}" {{(fields.Length > 0 ? ", " + fields : "")}} }) { case { id } } }""";

    /// <summary>Every role of the contract, a department without its claim, a made-up role, and no token at all.</summary>
    public static TheoryData<string, string?> Callers => new()
    {
        { "agent", CityCaseServer.Token("agent", "alice") },
        { "inspector", CityCaseServer.Token("inspector", "ivan") },
        { "dispatcher", CityCaseServer.Token("dispatcher", "dan") },
        { "department", CityCaseServer.Token("department", "rita", "D02") },
        { "department without its claim", CityCaseServer.Token("department", "rudi") },
        { "supervisor", CityCaseServer.Token("supervisor", "sue") },
        { "auditor", CityCaseServer.Token("auditor", "audrey") },
        { "analyst", CityCaseServer.Token("analyst", "ann") },
        { "admin", CityCaseServer.Token("admin", "root") },
        { "device", CityCaseServer.Token("device", "gateway-1") },
        { "janitor", CityCaseServer.Token("janitor", "jan") },
        { "no token", null },
    };

    private static ISchema ServedSchema()
    {
        var schema = new ServiceCollection().AddCityCaseGraphQL().BuildServiceProvider().GetRequiredService<ISchema>();
        schema.Initialize();
        return schema;
    }

    [Fact]
    public void Every_operation_the_schema_serves_has_an_entry_and_every_entry_an_operation()
    {
        var schema = ServedSchema();
        var served = new[] { schema.Query, schema.Mutation!, schema.Subscription! }
            .SelectMany(root => root.Fields.Where(f => !f.Name.StartsWith("__")).Select(f => $"{root.Name}.{f.Name}")).ToHashSet();

        Assert.Empty(served.Except(AccessPolicy.Operations.Keys));   // a new operation without an entry fails here
        Assert.Empty(AccessPolicy.Operations.Keys.Except(served));   // and a stale entry too
        Assert.Empty(served.Except(Documents.Keys));                 // the matrix below covers every operation
    }

    [Fact]
    public void Every_field_with_a_citizens_personal_data_has_its_disclosure_rule()
    {
        var schema = ServedSchema();
        var personal = schema.AllTypes.OfType<IComplexGraphType>().Where(t => !t.Name.StartsWith("__"))
            .SelectMany(t => t.Fields.Where(f => t.Name == "Citizen" || Unwrap(f.ResolvedType) is { Name: "Citizen" })
                .Select(f => $"{t.Name}.{f.Name}"))
            .Append("CaseHistoryEntry.data")
            .ToHashSet();

        Assert.Empty(personal.Except(AccessPolicy.PersonalData.Keys));
        Assert.Empty(AccessPolicy.PersonalData.Keys.Except(personal));
    }

    private static IGraphType? Unwrap(IGraphType? type) => type switch
    {
        NonNullGraphType n => Unwrap(n.ResolvedType),
        ListGraphType l => Unwrap(l.ResolvedType),
        _ => type,
    };

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task Each_caller_gets_exactly_what_the_policy_table_says_over_http_and_websocket_and_refusals_append_nothing(
        string caller, string? token)
    {
        var before = await server.CountEvents();
        var role = caller switch { "no token" => null, "department without its claim" => "department", _ => caller };

        foreach (var (operation, document) in Documents)
        {
            var roles = AccessPolicy.Operations[operation];
            var allowed = roles.Count == 0 || role is "admin" || role is not null && roles.Contains(role);
            var expectedRefusal = allowed ? null : role is null ? "UNAUTHENTICATED" : "FORBIDDEN";
            var refusal = operation.StartsWith("Subscription.")
                ? await SubscribeOverWebSocket(document, token)
                : await RefusalOverHttp(document, token);
            Assert.True(refusal == expectedRefusal, $"{caller} on {operation}: expected {expectedRefusal ?? "allowed"}, got {refusal ?? "allowed"}");
        }

        Assert.Equal(before, await server.CountEvents());
    }

    /// <summary>
    /// The access refusal's code, or null when the request was executed, whatever it then answered (a resolver's
    /// error carries the path of its field; a refusal before execution has none).
    /// </summary>
    private async Task<string?> RefusalOverHttp(string document, string? token)
    {
        var response = await server.PostGraphQL(document, token: token);
        Assert.True(response.Status is 200 or 400, response.ToString());
        var refusal = (response.Errors ?? []).FirstOrDefault(e => e!["path"] is null);
        return (string?)refusal?["extensions"]?["code"];
    }

    /// <summary>Subscribes over graphql-transport-ws: the refusal's code, or null when the subscription was accepted.</summary>
    private async Task<string?> SubscribeOverWebSocket(string document, string? token)
    {
        using var socket = await RawWebSocket.Connect(server.BaseAddress);
        var payload = token is null ? new JsonObject() : new JsonObject { ["token"] = token };
        await Send(socket, new JsonObject { ["type"] = "connection_init", ["payload"] = payload });
        var ack = await RawWebSocket.Receive(socket);
        if (ack.StartsWith("CLOSE")) return "UNAUTHENTICATED";
        await Send(socket, new JsonObject { ["id"] = "1", ["type"] = "subscribe", ["payload"] = new JsonObject { ["query"] = document } });
        await Send(socket, new JsonObject { ["type"] = "ping" }); // answered after the subscribe has been handled
        for (var message = await RawWebSocket.Receive(socket); ; message = await RawWebSocket.Receive(socket))
        {
            if (message.StartsWith("CLOSE")) return "UNAUTHENTICATED";
            var json = JsonNode.Parse(message)!;
            if ((string?)json["type"] == "error" && json["payload"]![0]!["path"] is null) return (string?)json["payload"]![0]!["extensions"]!["code"];
            if ((string?)json["type"] == "pong") return null;
        }
    }

    private static Task Send(ClientWebSocket socket, JsonObject message) => RawWebSocket.Send(socket, message.ToJsonString());
}

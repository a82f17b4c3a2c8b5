using System.Text.Json.Nodes;
using CityCase.Engine.Supervision;
using CityCase.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace CityCase.IntegrationTests.Loop;

/// <summary>
/// The loop as cities run it, through HTTP on real PostgreSQL: approvals of returns and suspensions, the city's review
/// before closing, supervision with answers and the supervisor's view, automatic escalation exactly once across a restart,
/// reopening, notes, and an agent finding a caller's earlier cases. Time is a FakeClock (Tuesday 2026-11-24, Shanghai).
/// </summary>
public sealed class LoopTests : IAsyncLifetime
{
    private static readonly DateTimeZone Shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
    private readonly FakeClock _clock = new(At(24, 9, 0));
    private readonly CityCaseServer _server;
    private readonly CaseClient _client;
    private readonly string _d01 = CaseClient.Department("D01");
    private readonly string _d06 = CaseClient.Department("D06");

    public LoopTests()
    {
        _server = CityCaseServer.OnClock(_clock);
        _client = new CaseClient(_server);
    }

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    private static Instant At(int day, int hour, int minute) =>
        new LocalDateTime(2026, 11, day, hour, minute).InZoneStrictly(Shanghai).ToInstant();

    private void Now(int day, int hour, int minute) => _clock.Reset(At(day, hour, minute));

    /// <summary>A hotline case of <paramref name="category"/> dispatched to <paramref name="department"/> and signed for, at Tuesday 09:00-09:15.</summary>
    private async Task<string> InProgress(string category = "1101", string department = "D01", string urgency = "NORMAL")
    {
        Now(24, 9, 0);
        var (id, _) = await _client.Report(categoryCode: category);
        Now(24, 9, 5);
        await _client.Must("acceptCase", _client.Dispatcher, id, new { categoryCode = category, urgency });
        Now(24, 9, 10);
        await _client.Must("dispatchCase", _client.Dispatcher, id, new { departmentCode = department });
        Now(24, 9, 15);
        await _client.Must("signCase", CaseClient.Department(department), id);
        return id;
    }

    private async Task Refused(string code, string message, string mutation, string token, string caseId, object? fields = null)
    {
        var before = await _client.EventsOf(caseId);
        var response = await _client.Do(mutation, token, caseId, fields);
        Assert.True(response.FirstErrorCode == code, response.ToString());
        Assert.Contains(message, response.FirstErrorMessage);
        Assert.Equal(before, await _client.EventsOf(caseId)); // a refusal appends nothing
    }

    private async Task<List<string>> Types(string caseId) =>
        [.. (await _client.History(caseId)).Select(e => e!["type"]!.GetValue<string>())];

    [Fact]
    public async Task Returns_and_suspensions_are_asked_for_and_decided_with_their_limits()
    {
        var id = await InProgress();

        // Asked, denied: the case stays with D01, its clocks running.
        Assert.Equal("IN_PROGRESS", (await _client.Must("returnCase", _d01, id, new { reason = "Not ours" })).Status);
        Assert.Equal("Not ours", (await _client.Case(id, "pendingReturnReason"))["pendingReturnReason"]!.GetValue<string>());
        await Refused("INVALID_TRANSITION", "already awaiting a decision", "returnCase", _d01, id, new { reason = "Really not ours" });
        await Refused("FORBIDDEN", "dispatcher", "decideReturn", _d01, id, new { approve = true });
        Assert.Equal("IN_PROGRESS", (await _client.Must("decideReturn", _client.Dispatcher, id, new { approve = false, note = "It is yours" })).Status);
        var kept = await _client.Case(id, "departmentCode pendingReturnReason returns clocks { clock }");
        Assert.Equal("D01", kept["departmentCode"]!.GetValue<string>());
        Assert.Null(kept["pendingReturnReason"]);
        Assert.Contains(kept["clocks"]!.AsArray(), c => c!["clock"]!.GetValue<string>() == "DISPOSAL");

        // Asked again, approved: back to awaiting dispatch. Twice is the city's limit.
        await _client.Must("returnCase", _d01, id, new { reason = "Not ours, see photo" });
        Assert.Equal("ACCEPTED", (await _client.Must("decideReturn", _client.Dispatcher, id, new { approve = true })).Status);
        await _client.Must("dispatchCase", _client.Dispatcher, id, new { departmentCode = "D06" });
        await _client.Must("returnCase", CaseClient.Department("D06"), id, new { reason = "Nor ours" });
        await _client.Must("decideReturn", _client.Dispatcher, id, new { approve = true });
        await _client.Must("dispatchCase", _client.Dispatcher, id, new { departmentCode = "D01" });
        Assert.Equal(2, (await _client.Case(id, "returns"))["returns"]!.GetValue<int>());
        await Refused("INVALID_TRANSITION", "City:Loop:MaxReturns", "returnCase", _d01, id, new { reason = "Third time" });

        // A suspension: asked for, the clocks run until approved; then they stop.
        await _client.Must("signCase", _d01, id);
        await _client.Must("requestSuspension", _d01, id, new { reason = "Road works until Friday" });
        Assert.False((await _client.Case(id))["suspended"]!.GetValue<bool>());
        await Refused("FORBIDDEN", "D01", "requestSuspension", _d06, id, new { reason = "x" });
        await _client.Must("decideSuspension", _client.Dispatcher, id, new { approve = true, note = "Agreed" });
        var held = await _client.Case(id, "suspended suspensions pendingSuspensionReason");
        Assert.True(held["suspended"]!.GetValue<bool>());
        Assert.Equal(1, held["suspensions"]!.GetValue<int>());
        Assert.Contains("SuspensionDecided", await Types(id));
    }

    [Fact]
    public async Task A_marked_category_is_closed_only_after_the_citys_review()
    {
        var id = await InProgress(category: "1301", department: "D06"); // illegal structure: the catalogue marks it
        await _client.Must("reportDisposal", _d06, id, new { result = "Demolished", photoUrls = new[] { "https://photos.example/1301.jpg" } });
        await _client.Must("verifyDisposal", _client.Inspector, id, new { passed = true });

        await Refused("INVALID_TRANSITION", "结案审核", "closeCase", _client.Dispatcher, id);
        await Refused("FORBIDDEN", "City:Loop:CloseReviewRole", "reviewClosure", _client.Dispatcher, id, new { approve = true });
        await Refused("VALIDATION_FAILED", "note", "reviewClosure", _client.Supervisor, id, new { approve = false });
        Assert.Equal("DISPOSED", (await _client.Must("reviewClosure", _client.Supervisor, id, new { approve = true, note = "Seen on the map" })).Status);
        Assert.True((await _client.Case(id, "closureApproved"))["closureApproved"]!.GetValue<bool>());
        Assert.Equal("CLOSED", (await _client.Must("closeCase", _client.Dispatcher, id)).Status);

        // A category the catalogue does not mark needs no review.
        var plain = await InProgress();
        await _client.Must("reportDisposal", _d01, plain, new { result = "Swept" });
        await _client.Must("verifyDisposal", _client.Inspector, plain, new { passed = true });
        await Refused("VALIDATION_FAILED", "needs no review", "reviewClosure", _client.Supervisor, plain, new { approve = true });
        Assert.Equal("CLOSED", (await _client.Must("closeCase", _client.Dispatcher, plain)).Status);
    }

    private async Task<JsonNode> Board(string token, string arguments = "")
    {
        var response = await _server.PostGraphQL($$"""
            { openSupervisions{{arguments}} { total overdue groups { level departmentCode count overdue }
                cases { id supervisionLevel openSupervisions { number level replyDueAt } } } }
            """, null, token);
        Assert.True(response.Errors is null, response.ToString());
        return response.Data!["openSupervisions"]!;
    }

    [Fact]
    public async Task A_supervision_is_answered_by_the_department_and_the_supervisors_view_puts_overdue_answers_first()
    {
        var soon = await InProgress();
        var later = await InProgress();
        Now(24, 10, 0);
        await _client.Must("superviseCase", _client.Supervisor, soon, new { note = "Listed in the papers", level = "PUBLIC_LISTING", replyWorkingHours = 1.0 });
        await _client.Must("superviseCase", _client.Supervisor, later, new { note = "Please hurry" }); // 督办, 8 working hours
        await Refused("VALIDATION_FAILED", "replyWorkingHours", "superviseCase", _client.Supervisor, later, new { note = "x", replyWorkingHours = -1.0 });

        Now(24, 11, 30); // soon's answer was due at 11:00
        var board = await Board(_client.Supervisor);
        var ids = board["cases"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()).ToList();
        Assert.True(ids.IndexOf(soon) >= 0 && ids.IndexOf(soon) < ids.IndexOf(later), board.ToJsonString());
        Assert.True(board["overdue"]!.GetValue<int>() >= 1);
        Assert.Contains(board["groups"]!.AsArray(), g => g!["level"]!.GetValue<string>() == "PUBLIC_LISTING" && g["departmentCode"]!.GetValue<string>() == "D01");
        var listed = await Board(_d01, "(level: PUBLIC_LISTING, departmentCode: \"D06\")"); // a department sees its own, whatever it asks
        Assert.Contains(listed["cases"]!.AsArray(), c => c!["id"]!.GetValue<string>() == soon);
        Assert.DoesNotContain(listed["cases"]!.AsArray(), c => c!["id"]!.GetValue<string>() == later);

        await Refused("FORBIDDEN", "D01", "answerSupervision", _d06, soon, new { reply = "x" });
        await Refused("FORBIDDEN", "the department answers", "answerSupervision", _client.Dispatcher, soon, new { reply = "x" });
        await _client.Must("answerSupervision", _d01, soon, new { reply = "Crew on site" });
        await Refused("INVALID_TRANSITION", "no supervision", "answerSupervision", _d01, soon, new { reply = "again" });
        var answered = await _client.Case(soon, "openSupervisions { number } supervisionsAnsweredLate supervisions");
        Assert.Empty(answered["openSupervisions"]!.AsArray());
        Assert.Equal(1, answered["supervisionsAnsweredLate"]!.GetValue<int>());
        Assert.DoesNotContain((await Board(_client.Supervisor))["cases"]!.AsArray(), c => c!["id"]!.GetValue<string>() == soon);
        var answer = (await _client.History(soon)).Single(e => e!["type"]!.GetValue<string>() == "SupervisionAnswered")!;
        Assert.Contains("Crew on site", answer["data"]!.GetValue<string>());
    }

    private Task<long> Supervisions(string id) => _client.EventsOf(id, "case_supervised");

    private async Task Pass()
    {
        await _server.RunTimekeeperOnceAsync();
        await _server.Services.GetRequiredService<SupervisionEscalator>().RunOnceAsync();
    }

    [Fact]
    public async Task A_red_disposal_clock_escalates_by_itself_each_step_exactly_once_across_a_restart()
    {
        // Street not clean (1101): 5 working hours from the 09:10 dispatch, due Tuesday 15:40. Steps: 催办 with the red
        // light, 督办 8 working hours past the deadline (Wednesday 16:10), 挂牌督办 24 past it (Friday 17:10).
        var id = await InProgress();
        Now(24, 15, 45);
        await Pass();
        await Pass(); // yellow, then red (one level per pass)
        Assert.Equal(1, await Supervisions(id));
        var reminder = (await _client.History(id)).Last(e => e!["type"]!.GetValue<string>() == "CaseSupervised")!;
        Assert.Equal("system", reminder["actor"]!["role"]!.GetValue<string>());
        Assert.Equal("citycase-escalation", reminder["actor"]!["userId"]!.GetValue<string>());

        Now(25, 16, 9);
        await Pass();
        Assert.Equal(1, await Supervisions(id));
        Now(25, 16, 11);
        await Pass();
        await Pass();
        Assert.Equal(2, await Supervisions(id));

        await _server.RestartAsync();
        await Pass();
        await Pass();
        Assert.Equal(2, await Supervisions(id));
        Assert.Equal("SUPERVISION", (await _client.Case(id, "supervisionLevel"))["supervisionLevel"]!.GetValue<string>());

        Now(27, 17, 11);
        await Pass();
        await _server.RestartAsync();
        await Pass();
        Assert.Equal(3, await Supervisions(id));
        Assert.Equal("PUBLIC_LISTING", (await _client.Case(id, "supervisionLevel"))["supervisionLevel"]!.GetValue<string>());

        // The top level has no step after it; disposing ends the escalation.
        Now(30, 17, 0);
        await Pass();
        await _client.Must("reportDisposal", _d01, id, new { result = "Swept at last" });
        await Pass();
        Assert.Equal(3, await Supervisions(id));
    }

    private async Task<string> Closed()
    {
        var id = await InProgress();
        await _client.Must("reportDisposal", _d01, id, new { result = "Swept" });
        await _client.Must("verifyDisposal", _client.Inspector, id, new { passed = true });
        await _client.Must("closeCase", _client.Dispatcher, id);
        return id;
    }

    [Fact]
    public async Task A_dissatisfied_follow_up_or_a_complaint_reopens_the_case_to_its_department_with_fresh_clocks()
    {
        var low = await Closed();
        Now(26, 10, 0);
        Assert.Equal("IN_PROGRESS", (await _client.Must("recordSatisfaction", _client.Agent, low, new { score = 1, comment = "Still dirty" })).Status);
        var reopened = await _client.Case(low, "departmentCode reopenings satisfaction clocks { clock startedAt } timeline { reopenedAt }");
        Assert.Equal("D01", reopened["departmentCode"]!.GetValue<string>());
        Assert.Equal(1, reopened["reopenings"]!.GetValue<int>());
        Assert.Null(reopened["satisfaction"]);
        Assert.Equal(["CITIZEN", "DISPOSAL"], reopened["clocks"]!.AsArray().Select(c => c!["clock"]!.GetValue<string>()).Order());
        Assert.All(reopened["clocks"]!.AsArray(), c => Assert.Equal("2026-11-26T02:00:00Z", c!["startedAt"]!.GetValue<string>()));
        // Disposed and closed again, it may be followed up again.
        await _client.Must("reportDisposal", _d01, low, new { result = "Swept twice" });
        await _client.Must("verifyDisposal", _client.Inspector, low, new { passed = true });
        await _client.Must("closeCase", _client.Dispatcher, low);
        Assert.Equal("CLOSED", (await _client.Must("recordSatisfaction", _client.Agent, low, new { score = 4 })).Status);

        var complained = await Closed();
        Now(24, 17, 0);
        Assert.Equal("IN_PROGRESS", (await _client.Must("reopenCase", _client.Agent, complained, new { reason = "Rubbish is back" })).Status);
        await Refused("FORBIDDEN", "agent", "reopenCase", _client.Dispatcher, complained, new { reason = "x" });

        var old = await Closed();
        _clock.Reset(At(24, 9, 30) + Duration.FromDays(16)); // more than 15 days after closing
        await Refused("INVALID_TRANSITION", "City:Loop:ReopenWithinDays", "reopenCase", _client.Agent, old, new { reason = "Back again" });
    }

    [Fact]
    public async Task Notes_are_added_by_those_who_act_on_the_case_and_kept_in_its_history()
    {
        var id = await InProgress();
        await _client.Must("addCaseNote", _d01, id, new { text = "Sweeper booked for 14:00" });
        await _client.Must("addCaseNote", _client.Agent, id, new { text = "Caller rang again" });
        await Refused("FORBIDDEN", "never dispatched to department D06", "addCaseNote", _d06, id, new { text = "Not our case" });
        await Refused("VALIDATION_FAILED", "text", "addCaseNote", _client.Agent, id, new { text = " " });
        await Refused("FORBIDDEN", "beat", "addCaseNote", CityCaseServer.Token("inspector", "someone-else"), id, new { text = "x" });
        Assert.Equal(2, (await _client.Case(id, "notes"))["notes"]!.GetValue<int>());
        var notes = (await _client.History(id)).Where(e => e!["type"]!.GetValue<string>() == "CaseNoteAdded").ToList();
        Assert.Equal(["department", "agent"], notes.Select(n => n!["actor"]!["role"]!.GetValue<string>()));
    }

    private async Task<JsonNode> MyTasks(string token)
    {
        var response = await _server.PostGraphQL("{ myTasks { verifications { id } findings { id status } assigned { id } } }", null, token);
        Assert.True(response.Errors is null, response.ToString());
        return response.Data!["myTasks"]!;
    }

    private static List<string> Ids(JsonNode tasks, string kind) => [.. tasks[kind]!.AsArray().Select(c => c!["id"]!.GetValue<string>())];

    [Fact]
    public async Task Work_goes_to_named_people_and_assisting_departments_see_and_note_but_do_not_dispose()
    {
        var id = await InProgress(); // in a grid on an inspector's beat (samples/reference/inspectors.json)
        var seven = CityCaseServer.Token("department", "worker-7", "D01");
        var eight = CityCaseServer.Token("department", "worker-8", "D01");

        // The department gives the case to a worker, then to another: recorded, and the queue shows who holds it.
        await _client.Must("assignCase", _d01, id, new { assigneeUserId = "worker-7", assigneeName = "Worker Seven" });
        Assert.Equal([id], Ids(await MyTasks(seven), "assigned"));
        await Refused("FORBIDDEN", "D01", "assignCase", _d06, id, new { assigneeUserId = "someone" });
        await _client.Must("assignCase", _d01, id, new { assigneeUserId = "worker-8" });
        Assert.Empty(Ids(await MyTasks(seven), "assigned"));
        Assert.Equal([id], Ids(await MyTasks(eight), "assigned"));
        var reassigned = (await _client.History(id)).Last(e => e!["type"]!.GetValue<string>() == "CaseAssigned")!;
        Assert.Contains("\"previousUserId\":\"worker-7\"", reassigned["data"]!.GetValue<string>());
        var queue = await _server.PostGraphQL("""{ dispatchQueue(departmentCode: "D01", first: 50) { edges { node { id assignee } } } }""", null, _d01);
        Assert.True(queue.Errors is null, queue.ToString());
        Assert.Contains(queue.Data!["dispatchQueue"]!["edges"]!.AsArray(),
            e => e!["node"]!["id"]!.GetValue<string>() == id && e["node"]!["assignee"]!.GetValue<string>() == "worker-8");

        // 协办: D05 assists; it reads the case and adds notes, but only the lead disposes.
        var water = CaseClient.Department("D05");
        await Refused("FORBIDDEN", "never dispatched to department D05", "addCaseNote", water, id, new { text = "x" });
        await _client.Must("addAssistingDepartment", _client.Dispatcher, id, new { departmentCode = "D05" });
        Assert.Equal(["D05"], (await _client.Case(id, "assistingDepartments"))["assistingDepartments"]!.AsArray().Select(d => d!.GetValue<string>()));
        var seen = await _server.PostGraphQL("query($id: ID) { case(id: $id) { id citizen { phone } } }", new { id }, water);
        Assert.True(seen.Errors is null, seen.ToString());
        Assert.Equal("139****0000", seen.Data!["case"]!["citizen"]!["phone"]!.GetValue<string>()); // it does not hold the case
        await _client.Must("addCaseNote", water, id, new { text = "Hydrant shut off at 10:00" });
        await Refused("FORBIDDEN", "D01", "reportDisposal", water, id, new { result = "Done" });

        // The disposal's verification goes to the beat's inspector; a dispatcher gives it to another.
        await _client.Must("reportDisposal", _d01, id, new { result = "Swept" });
        var gridCode = (await _client.Case(id, "gridCode"))["gridCode"]!.GetValue<string>();
        var beat = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "samples", "reference", "inspectors.json")))!["inspectors"]!
            .AsArray().Single(i => i!["gridCodes"]!.AsArray().Any(code => code!.GetValue<string>() == gridCode))!["userId"]!.GetValue<string>();
        Assert.Equal(beat, (await _client.Case(id, "verificationInspector"))["verificationInspector"]!.GetValue<string>());
        var beatInspector = CityCaseServer.Token("inspector", beat);
        Assert.Contains(id, Ids(await MyTasks(beatInspector), "verifications"));
        await Refused("FORBIDDEN", "dispatcher", "assignVerification", beatInspector, id, new { inspectorUserId = "ivan" });
        await _client.Must("assignVerification", _client.Dispatcher, id, new { inspectorUserId = "ivan" });
        Assert.DoesNotContain(id, Ids(await MyTasks(beatInspector), "verifications"));
        Assert.Contains(id, Ids(await MyTasks(_client.Inspector), "verifications"));

        // An inspector's own findings and where they stand.
        var finding = await _server.PostGraphQL("""
            mutation($input: ReportPatrolFindingInput!) { reportPatrolFinding(input: $input) { case { id } } }
            """, new { input = new { description = "Litter bin broken", categoryCode = "0302", location = new { longitude = 121.4737, latitude = 31.2304 } } },
            _client.Inspector);
        Assert.True(finding.Errors is null, finding.ToString());
        Assert.Contains(finding.Data!["reportPatrolFinding"]!["case"]!["id"]!.GetValue<string>(), Ids(await MyTasks(_client.Inspector), "findings"));
        await _client.Must("verifyDisposal", _client.Inspector, id, new { passed = true });
        Assert.DoesNotContain(id, Ids(await MyTasks(_client.Inspector), "verifications"));
    }

    [Fact]
    public async Task An_agent_finds_a_callers_earlier_cases_and_where_they_were_by_phone()
    {
        var phone = $"136{Random.Shared.Next(10_000_000, 99_999_999)}";
        var (earlier, _) = await _client.Report("Bin overflowing", categoryCode: "0302", phone: phone);

        // The same caller rings again, the number spelt with the country code: the agent sees the earlier case and its grid.
        var found = await _server.PostGraphQL("query($phone: String!) { casesByCallerPhone(phone: $phone) { id gridCode location { longitude latitude } } }",
            new { phone = "+86 " + phone }, _client.Agent);
        Assert.True(found.Errors is null, found.ToString());
        var match = found.Data!["casesByCallerPhone"]!.AsArray().Single()!;
        Assert.Equal(earlier, match["id"]!.GetValue<string>());
        Assert.Equal("310101001001001".Length, match["gridCode"]!.GetValue<string>().Length);
        Assert.Equal("FORBIDDEN", (await _server.PostGraphQL("query($phone: String!) { casesByCallerPhone(phone: $phone) { id } }",
            new { phone }, _client.Dispatcher)).FirstErrorCode);
    }
}

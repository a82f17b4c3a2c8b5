using System.Text.Json.Nodes;
using CityCase.Api.Hosting;
using CityCase.Domain.Assessment;
using CityCase.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace CityCase.IntegrationTests.Assessment;

/// <summary>
/// A scripted Tuesday (2026-11-24, Shanghai; working hours 08:30-12:00 and 13:30-17:30) whose
/// scorecard, hotline figures and hot spots were worked out by hand, written beside each case below.
/// Category 1101 (street not clean) has a disposal limit of 5 working hours; dispatch 30 working
/// minutes; verification and closing 1 working hour each.
/// </summary>
public sealed class ScorecardTests : IAsyncLifetime
{
    private static readonly DateTimeZone Shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
    private readonly FakeClock _clock = new(At(24, 8, 0));
    private CityCaseServer _server = null!;
    private CaseClient _client = null!;

    private static Instant At(int day, int hour, int minute) =>
        new LocalDateTime(2026, 11, day, hour, minute).InZoneStrictly(Shanghai).ToInstant();

    public async Task InitializeAsync()
    {
        _server = CityCaseServer.OnClock(_clock);
        await _server.InitializeAsync();
        _client = new CaseClient(_server);
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    private async Task<(string Status, int Version)> Step(int hour, int minute, string mutation, string token, string caseId, object? fields = null)
    {
        _clock.Reset(At(24, hour, minute));
        return await _client.Must(mutation, token, caseId, fields);
    }

    private async Task<string> Report(int hour, int minute)
    {
        _clock.Reset(At(24, hour, minute));
        return (await _client.Report(categoryCode: "1101")).Id;
    }

    private async Task<string> Accepted(int hour, int minute)
    {
        var id = await Report(hour, minute);
        await Step(hour, minute + 5, "acceptCase", _client.Agent, id, new { categoryCode = "1101", urgency = "NORMAL" });
        return id;
    }

    private async Task PlayTheDay()
    {
        var dan = _client.Dispatcher;
        var ivan = _client.Inspector;
        var d01 = CaseClient.Department("D01");
        var d03 = CaseClient.Department("D03");
        object notify(string kind) => new { kind, channel = "SMS" };

        // A: everything on time. Dispatched 09:15 (due 09:35); disposal due 15:45, done 10:00; verified
        // 10:30 (due 11:00); closed 10:45 (due 11:30). Handling 09:00-10:45 = 105 working minutes. Score 5.
        var a = await Accepted(9, 0);
        await Step(9, 10, "notifyCitizen", _client.Agent, a, notify("ACCEPTANCE"));
        await Step(9, 15, "dispatchCase", dan, a, new { departmentCode = "D01" });
        await Step(9, 20, "signCase", d01, a);
        await Step(10, 0, "reportDisposal", d01, a, new { result = "Swept" });
        await Step(10, 30, "verifyDisposal", ivan, a, new { passed = true });
        await Step(10, 45, "closeCase", dan, a);
        await Step(10, 50, "notifyCitizen", _client.Agent, a, notify("COMPLETION"));
        await Step(10, 55, "recordSatisfaction", _client.Agent, a, new { score = 5 });

        // B: dispatched late (10:00, due 09:35); extension approved; disposal 11:00 fails verification
        // at 11:30 (on time, due 12:00): rework; disposed again 16:00 (on time); verified 17:10 (late,
        // due 17:00); closed Wednesday 10:00 (late: due Wednesday 09:10). Handling Tue 09:00 - Wed 10:00 = 510 minutes.
        var b = await Accepted(9, 0);
        await Step(10, 0, "dispatchCase", dan, b, new { departmentCode = "D01" });
        await Step(10, 5, "signCase", d01, b);
        await Step(10, 10, "requestExtension", d01, b, new { extraWorkingHours = 2.0, reason = "Needs a sweeper truck" });
        await Step(10, 15, "decideExtension", dan, b, new { approve = true });
        await Step(11, 0, "reportDisposal", d01, b, new { result = "Swept" });
        await Step(11, 30, "verifyDisposal", ivan, b, new { passed = false, note = "Still dirty" });
        // 11:35 the supervisor supervises B (督办) with an hour to answer: due 14:05 (lunch 12:00-13:30 does not count).
        // D01 answers at 15:00: late.
        await Step(11, 35, "superviseCase", _client.Supervisor, b, new { note = "Why the rework?", replyWorkingHours = 1.0 });
        await Step(15, 0, "answerSupervision", d01, b, new { reply = "Second sweep booked for 16:00" });
        await Step(16, 0, "reportDisposal", d01, b, new { result = "Swept again" });

        // C: first sent to the wrong department (D03 returns it), then to D01 at 09:40 (on time: the
        // return restarted the dispatch clock, due 10:00). Disposal due 16:10; never done: red at 16:15.
        var c = await Accepted(9, 0);
        await Step(9, 10, "notifyCitizen", _client.Agent, c, notify("ACCEPTANCE"));
        await Step(9, 20, "dispatchCase", dan, c, new { departmentCode = "D03" });
        await Step(9, 30, "returnCase", d03, c, new { reason = "Not street lighting" });
        await Step(9, 30, "decideReturn", dan, c, new { approve = true });
        await Step(9, 40, "dispatchCase", dan, c, new { departmentCode = "D01" });
        await Step(9, 45, "signCase", d01, c);

        // D: dispatched on time, then suspended: it leaves the close-rate denominators.
        var d = await Accepted(9, 0);
        await Step(9, 25, "dispatchCase", dan, d, new { departmentCode = "D01" });
        await Step(9, 30, "signCase", d01, d);
        await Step(9, 50, "suspendCase", dan, d, new { reason = "Waiting for the road works to end" });

        // E: dispatched, then voided: it leaves every figure.
        var e = await Accepted(9, 0);
        await Step(9, 25, "dispatchCase", dan, e, new { departmentCode = "D01" });
        await Step(9, 50, "voidCase", dan, e, new { reason = "Filed by mistake" });

        // F: ivan's patrol finding, filed directly. G: a hotline call that is not filed.
        _clock.Reset(At(24, 10, 0));
        var patrol = await _server.PostGraphQL("""
            mutation($input: ReportPatrolFindingInput!) { reportPatrolFinding(input: $input) { case { id } } }
            """, new { input = new { description = "Rubbish on the pavement", categoryCode = "1101", location = new { longitude = 121.4737, latitude = 31.2304 } } }, ivan);
        Assert.True(patrol.Errors is null, patrol.ToString());
        var g = await Report(9, 0);
        await Step(9, 5, "rejectCase", _client.Agent, g, new { reason = "Private courtyard" });

        // 16:15: the timekeeper records C's disposal clock yellow, then red (one level per pass); the red light raises a
        // reminder (催办) by itself, which D01 answers at 16:30, in time.
        _clock.Reset(At(24, 16, 15));
        await _server.RunTimekeeperOnceAsync();
        await _server.RunTimekeeperOnceAsync();
        Assert.True(await _client.EventsOf(c, "sla_light_changed") >= 1, "C's disposal clock should have turned red");
        Assert.Equal(1, await _client.EventsOf(c, "case_supervised"));
        await Step(16, 30, "answerSupervision", d01, c, new { reply = "Crew on the way" });

        await Step(17, 10, "verifyDisposal", ivan, b, new { passed = true });
        _clock.Reset(At(25, 10, 0));
        await _client.Must("closeCase", dan, b);
        // Wednesday 10:30: B's caller is dissatisfied (2): B is reopened (重办) to D01, no longer disposed or closed.
        _clock.Reset(At(25, 10, 30));
        Assert.Equal("IN_PROGRESS", (await _client.Must("recordSatisfaction", _client.Agent, b, new { score = 2 })).Status);

        await _server.WaitForProjectionsAsync();
    }

    private async Task<JsonNode> Query(string query)
    {
        var response = await _server.PostGraphQL(query, null, _client.Analyst);
        Assert.True(response.Errors is null, response.ToString());
        return response.Data!;
    }

    private static JsonNode Subject(JsonNode data, string field, string subject) =>
        data[field]!.AsArray().Single(s => s!["subject"]!.GetValue<string>() == subject)!;

    [Fact]
    public async Task A_scripted_day_gives_the_figures_worked_out_by_hand()
    {
        await PlayTheDay();
        var data = await Query("""
            {
              departments: scorecards(dimension: DEPARTMENT, from: "2026-11-24", to: "2026-11-25") {
                subject counts { dispatched shouldDispose disposed disposedOnTime shouldClose closed closedOnTime suspended reworked overdueOpen extended
                                 supervisions supervisionsAnsweredLate reopened }
                disposalRate onTimeDisposalRate closeRate onTimeCloseRate reworkRate overdueRate extensionRate reopenRate lateAnswerRate
                supervisionRate compositeScore }
              dispatchers: scorecards(dimension: DISPATCHER, from: "2026-11-24", to: "2026-11-24") {
                subject counts { dispatched dispatchedOnTime dispatchedAccurately } onTimeDispatchRate accurateDispatchRate }
              inspectors: scorecards(dimension: INSPECTOR, from: "2026-11-24", to: "2026-11-24") {
                subject counts { reported filed verifications verifiedOnTime } validReportRate onTimeVerificationRate missedReports }
              hotlineKpis(from: "2026-11-24", to: "2026-11-24") {
                cases closed acceptanceNotifiedRate completionNotifiedRate averageHandlingWorkingDays satisfactionRate followUpRate }
              grid: gridAt(longitude: 121.4737, latitude: 31.2304) { code streetCode }
            }
            """);

        // D01 holds A, B, C and D (E was voided). Disposed: A (on time); B's disposal was undone by its reopening.
        // Closed: A (on time). Suspended: D. Reworked: B. Overdue and open: C. Extended: B. Supervised: B (by sue,
        // answered late) and C (the reminder its red light raised, answered in time). Reopened: B.
        var d01 = Subject(data, "departments", "D01");
        Assert.Equal("""{"dispatched":4,"shouldDispose":4,"disposed":1,"disposedOnTime":1,"shouldClose":4,"closed":1,"closedOnTime":1,"suspended":1,"reworked":1,"overdueOpen":1,"extended":1,"supervisions":2,"supervisionsAnsweredLate":1,"reopened":1}""",
            d01["counts"]!.ToJsonString());
        Assert.Equal(0.25, d01["disposalRate"]!.GetValue<double>());
        Assert.Equal(0.25, d01["onTimeDisposalRate"]!.GetValue<double>());
        Assert.Equal(1.0 / 3, d01["closeRate"]!.GetValue<double>(), 9);      // 1 / (4 - 1)
        Assert.Equal(1.0 / 3, d01["onTimeCloseRate"]!.GetValue<double>(), 9);
        Assert.Equal(0.25, d01["reworkRate"]!.GetValue<double>());
        Assert.Equal(0.25, d01["overdueRate"]!.GetValue<double>());
        Assert.Equal(0.25, d01["extensionRate"]!.GetValue<double>());
        Assert.Equal(0.25, d01["reopenRate"]!.GetValue<double>());           // 1 / 4
        Assert.Equal(0.5, d01["lateAnswerRate"]!.GetValue<double>());        // 1 / 2
        Assert.Equal(0.5, d01["supervisionRate"]!.GetValue<double>());       // 2 / 4
        // 0.25×30 + 0.25×20 + (1−0.25)×20 + (1−0.25)×20 + (1−0.25)×10 = 7.5 + 5 + 15 + 15 + 7.5 (reopen and late-answer weights 0)
        Assert.Equal(50.0, d01["compositeScore"]!.GetValue<double>(), 9);

        // D03 sent C back: the case is not held against it.
        var d03 = Subject(data, "departments", "D03");
        Assert.Equal(0, d03["counts"]!["shouldDispose"]!.GetValue<int>());
        Assert.Null(d03["compositeScore"]);

        // dan dispatched A, B (late), C to D03 (returned: not accurate), C to D01 and D; E left with its void.
        var dan = Subject(data, "dispatchers", "dan");
        Assert.Equal("""{"dispatched":5,"dispatchedOnTime":4,"dispatchedAccurately":4}""", dan["counts"]!.ToJsonString());
        Assert.Equal(0.8, dan["onTimeDispatchRate"]!.GetValue<double>(), 9);
        Assert.Equal(0.8, dan["accurateDispatchRate"]!.GetValue<double>(), 9);

        // ivan reported F (filed) and verified A (on time), B (failed, on time) and B again (late).
        var ivan = Subject(data, "inspectors", "ivan");
        Assert.Equal("""{"reported":1,"filed":1,"verifications":3,"verifiedOnTime":2}""", ivan["counts"]!.ToJsonString());
        Assert.Equal(1.0, ivan["validReportRate"]!.GetValue<double>());
        Assert.Equal(2.0 / 3, ivan["onTimeVerificationRate"]!.GetValue<double>(), 9);

        // The grid's beat inspector missed the four filed hotline reports A-D (G was rejected, E voided).
        var gridCode = data["grid"]!["code"]!.GetValue<string>();
        var beat = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "samples", "reference", "inspectors.json")))!["inspectors"]!
            .AsArray().Single(i => i!["gridCodes"]!.AsArray().Any(code => code!.GetValue<string>() == gridCode))!["userId"]!.GetValue<string>();
        Assert.Equal(4, Subject(data, "inspectors", beat)["missedReports"]!.GetValue<int>());

        // Hotline: A-D (G rejected, E voided). Told of acceptance: A, C. Closed: A (B was reopened); told of completion: A.
        // Handling 105 / 450 / 1 working days. Followed up: A (5); B's 2 waits for B's next closing.
        var kpis = data["hotlineKpis"]!;
        Assert.Equal(4, kpis["cases"]!.GetValue<int>());
        Assert.Equal(1, kpis["closed"]!.GetValue<int>());
        Assert.Equal(0.5, kpis["acceptanceNotifiedRate"]!.GetValue<double>());
        Assert.Equal(1.0, kpis["completionNotifiedRate"]!.GetValue<double>());
        Assert.Equal(105.0 / 450, kpis["averageHandlingWorkingDays"]!.GetValue<double>(), 9);
        Assert.Equal(1.0, kpis["satisfactionRate"]!.GetValue<double>());
        Assert.Equal(1.0, kpis["followUpRate"]!.GetValue<double>());

        // Hot spots: A, B, C, D and F in one grid, all street cleaning; nothing of street lamps.
        var spots = await Query($$"""
            {
              all: hotspots(level: GRID, from: "2026-11-24", to: "2026-11-24") { code cases }
              cleaning: hotspots(level: STREET, from: "2026-11-24", to: "2026-11-24", categoryCode: "1101") { code cases }
              lamps: hotspots(level: GRID, from: "2026-11-24", to: "2026-11-24", categoryCode: "0105") { code cases }
              street: scorecards(dimension: STREET, from: "2026-11-24", to: "2026-11-24") { subject counts { reported filed shouldDispose } }
            }
            """);
        Assert.Equal($$"""[{"code":"{{gridCode}}","cases":5}]""", spots["all"]!.ToJsonString());
        Assert.Equal($$"""[{"code":"{{data["grid"]!["streetCode"]}}","cases":5}]""", spots["cleaning"]!.ToJsonString());
        Assert.Empty(spots["lamps"]!.AsArray());
        // The street saw six reports (A-D, F, G), five of them filed, and holds D01's four cases.
        Assert.Equal("""{"reported":6,"filed":5,"shouldDispose":4}""",
            Subject(spots, "street", data["grid"]!["streetCode"]!.GetValue<string>())["counts"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""scorecards(dimension: DEPARTMENT, from: "2026-11-25", to: "2026-11-24") { subject }""", "'to' (2026-11-24) is before 'from' (2026-11-25)")]
    [InlineData("""hotlineKpis(from: "2025-01-01", to: "2026-11-24") { cases }""", "longer than 366 days")]
    [InlineData("""hotspots(level: GRID, from: "2026-11-24", to: "2026-11-24", categoryCode: "9999") { code }""", "categoryCode '9999' is not a category")]
    public async Task A_bad_range_or_category_is_refused_naming_it(string field, string message)
    {
        var response = await _server.PostGraphQL("{ " + field + " }", null, _client.Analyst);
        Assert.Equal("VALIDATION_FAILED", response.FirstErrorCode);
        Assert.Contains(message, response.FirstErrorMessage);
    }

    [Fact]
    public async Task A_date_that_is_not_a_date_is_refused()
    {
        var response = await _server.PostGraphQL("""{ hotlineKpis(from: "24/11/2026", to: "2026-11-24") { cases } }""", null, _client.Analyst);
        Assert.NotNull(response.Errors);
        Assert.Contains("Argument 'from' has invalid value", response.FirstErrorMessage);
    }

    [Fact]
    public async Task The_composite_weights_come_from_configuration_and_must_add_up_to_100()
    {
        string[] Args(params string[] weights) =>
            ["--environment", "Development", "--ConnectionStrings:Marten", "Host=127.0.0.1;Port=1;Database=unused", .. weights];

        await using (var app = await CityCaseApp.BuildAsync(Args("--City:Scorecard:Weights:DisposalRate", "40", "--City:Scorecard:Weights:ExtensionRate", "0")))
            Assert.Equal(new CompositeWeights(40, 20, 20, 20, 0), app.Services.GetRequiredService<CompositeWeights>());

        var e = await Assert.ThrowsAsync<ArgumentException>(() => CityCaseApp.BuildAsync(Args("--City:Scorecard:Weights:ExtensionRate", "20")));
        Assert.Contains("City:Scorecard:Weights must add up to 100", e.Message);
        Assert.Contains("they add up to 110", e.Message);
    }
}

using System.Text.Json.Nodes;
using CityCase.IntegrationTests.Infrastructure;
using NodaTime;

namespace CityCase.IntegrationTests.Notices;

/// <summary>
/// Notices to citizens through the durable outbox, over HTTP on real PostgreSQL, to a real webhook receiver (Kestrel in
/// the test): sent automatically at acceptance and close, retried after failures, recorded once delivered, recorded as
/// failed after the last attempt, and counted in the hotline figures only once delivered.
/// </summary>
public sealed class CitizenNoticeTests : IAsyncLifetime
{
    private const string Patient = "13900000000"; // the receiver fails this phone's first two attempts of each notice
    private const string Unlucky = "13911111111"; // and every attempt for this one, until the test says otherwise

    private NoticeReceiver _receiver = null!;
    private CityCaseServer _server = null!;
    private CaseClient _client = null!;
    private volatile bool _unluckyRecovers;

    public async Task InitializeAsync()
    {
        _receiver = await NoticeReceiver.StartAsync();
        _receiver.Answer = r => Task.FromResult(r.Json["to"]!.GetValue<string>() switch
        {
            Patient when r.Attempt <= 2 => 503,
            Unlucky when !_unluckyRecovers => 500,
            _ => 200,
        });
        _server = new CityCaseServer
        {
            Arguments =
            [
                "--Notices:WebhookUrl", _receiver.Url, "--Notices:Secret", NoticeReceiver.Secret,
                "--Notices:RetryDelaysSeconds:0", "1", "--Notices:RetryDelaysSeconds:1", "1", "--Notices:RetryDelaysSeconds:2", "1",
            ],
        };
        await _server.InitializeAsync();
        _client = new CaseClient(_server);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private Task<(string Id, string Number)> Report(string phone) => _client.Report("Street lamp out", phone: phone);

    private async Task<JsonArray> Notices(string id) =>
        (await _client.Case(id, "notices { id kind status attempts failureReason deliveredAt queuedBy { userId } } acceptanceNotified completionNotified"))
        ["notices"]!.AsArray();

    private async Task<JsonArray> WaitForNotices(string id, int count, string status)
    {
        JsonArray notices = [];
        try
        {
            await Eventually.WaitUntil(async () =>
            {
                notices = await Notices(id);
                return notices.Count == count && notices.All(n => n!["status"]!.GetValue<string>() == status);
            }, TimeSpan.FromSeconds(60), $"{count} notice(s) {status} on case {id}", pollMilliseconds: 200);
        }
        catch (Xunit.Sdk.XunitException e)
        {
            await using var connection = new Npgsql.NpgsqlConnection(_server.ConnectionString);
            await connection.OpenAsync();
            var dump = new System.Text.StringBuilder();
            foreach (var sql in new[] { "select status || ' ' || attempts || ' owner ' || owner_id || ' exec ' || coalesce(execution_time::text, 'null') || ' now ' || now()::text || ' ' || message_type from citycase.wolverine_incoming_envelopes",
                         "select message_type || ' ' || coalesce(exception_message, '') from citycase.wolverine_dead_letters" })
            {
                try
                {
                    await using var command = new Npgsql.NpgsqlCommand(sql, connection);
                    await using var reader = await command.ExecuteReaderAsync();
                    while (await reader.ReadAsync()) dump.AppendLine(reader.GetString(0));
                }
                catch (Npgsql.PostgresException p) { dump.AppendLine(p.Message); }
            }
            throw new Xunit.Sdk.XunitException($"{e.Message}; notices {notices.ToJsonString()}; receiver got {_receiver.Requests.Count}; {dump}");
        }
        return notices;
    }

    [Fact]
    public async Task Acceptance_completion_and_follow_up_go_out_automatically_are_retried_and_recorded_once_delivered()
    {
        var c = _client;
        var (id, number) = await Report(Patient);
        await c.Must("acceptCase", c.Dispatcher, id, new { categoryCode = "0105", urgency = "NORMAL" });

        var acceptance = Assert.Single(await WaitForNotices(id, 1, "DELIVERED"))!;
        var key = acceptance["id"]!.GetValue<string>();
        Assert.Equal(("ACCEPTANCE", "citycase-notices"), (acceptance["kind"]!.GetValue<string>(), acceptance["queuedBy"]!["userId"]!.GetValue<string>()));
        Assert.StartsWith(id + ":", key);

        // Two failures (503), then taken at the third attempt; every attempt signed and keyed alike.
        var attempts = _receiver.For(key);
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Attempt));
        Assert.All(attempts, a => Assert.True(a.SignatureValid, a.Body));
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromSeconds(0.9), "the retry waited for its delay");
        // The body: what the SMS platform needs and no more (the phone, not the name).
        var body = attempts[^1].Json;
        Assert.Equal((key, "ACCEPTANCE", number, Patient, "zh"), (body["idempotencyKey"]!.GetValue<string>(), body["kind"]!.GetValue<string>(),
            body["caseNumber"]!.GetValue<string>(), body["to"]!.GetValue<string>(), body["language"]!.GetValue<string>()));
        Assert.Contains(number, body["text"]!.GetValue<string>());
        Assert.DoesNotContain("Zhang", attempts[^1].Body);
        Assert.Single(_receiver.Sent, s => s.Key == key);
        Assert.Equal(1, await c.EventsOf(id, "citizen_notified"));
        Assert.True((await c.Case(id, "acceptanceNotified"))["acceptanceNotified"]!.GetValue<bool>());

        // The rest of the loop; closing tells the citizen it is done and asks for the follow-up (回访).
        var lamps = CaseClient.Department("D03");
        await c.Must("dispatchCase", c.Dispatcher, id, new { departmentCode = "D03" });
        await c.Must("signCase", lamps, id);
        await c.Must("reportDisposal", lamps, id, new { result = "Bulb replaced" });
        await c.Must("verifyDisposal", c.Inspector, id, new { passed = true });
        await c.Must("closeCase", c.Dispatcher, id);
        var all = await WaitForNotices(id, 3, "DELIVERED");
        Assert.Equal(["ACCEPTANCE", "COMPLETION", "FOLLOW_UP"], all.Select(n => n!["kind"]!.GetValue<string>()));
        Assert.Equal(3, await c.EventsOf(id, "citizen_notified"));
        Assert.Equal(3, _receiver.Sent.Count);
        Assert.Contains("回复1-5", _receiver.Sent[all[2]!["id"]!.GetValue<string>()]);
        Assert.True((await c.Case(id, "completionNotified"))["completionNotified"]!.GetValue<bool>());

        // A notice already on its way or delivered is not sent again by hand.
        Assert.Equal("INVALID_TRANSITION", (await c.Do("sendCitizenNotice", c.Agent, id, new { kind = "COMPLETION" })).FirstErrorCode);
    }

    [Fact]
    public async Task A_notice_that_finally_fails_is_recorded_shown_on_the_case_and_counted_and_only_delivered_notices_count_as_notified()
    {
        var c = _client;
        var (told, _) = await Report(Patient);
        var (untold, _) = await Report(Unlucky);
        await c.Must("acceptCase", c.Dispatcher, told, new { categoryCode = "0105", urgency = "NORMAL" });
        await c.Must("acceptCase", c.Dispatcher, untold, new { categoryCode = "0105", urgency = "NORMAL" });
        await WaitForNotices(told, 1, "DELIVERED");

        // Four attempts (the first and three retries), all refused: the notice failed, with why and how often.
        var failed = Assert.Single(await WaitForNotices(untold, 1, "FAILED"))!;
        Assert.Equal(4, failed["attempts"]!.GetValue<int>());
        Assert.Contains("answered 500", failed["failureReason"]!.GetValue<string>());
        Assert.Equal(4, _receiver.For(failed["id"]!.GetValue<string>()).Count);
        Assert.Equal(1, await c.EventsOf(untold, "citizen_notice_failed"));
        Assert.Equal(0, await c.EventsOf(untold, "citizen_notified"));
        Assert.False((await c.Case(untold, "acceptanceNotified"))["acceptanceNotified"]!.GetValue<bool>());

        var today = InstantToCityDate(SystemClock.Instance.GetCurrentInstant());
        var kpis = await HotlineKpis(today);
        Assert.Equal((2, 0.5, 1), (kpis["cases"]!.GetValue<int>(), kpis["acceptanceNotifiedRate"]!.GetValue<double>(), kpis["failedNotices"]!.GetValue<int>()));

        // The agent sends it again once the platform works: delivered, it counts.
        _unluckyRecovers = true;
        await c.Must("sendCitizenNotice", c.Agent, untold, new { kind = "ACCEPTANCE" });
        await Eventually.WaitUntil(async () => (await Notices(untold)).Any(n => n!["status"]!.GetValue<string>() == "DELIVERED"),
            TimeSpan.FromSeconds(30), "the agent's notice delivered");
        Assert.Equal("alice", (await Notices(untold))[1]!["queuedBy"]!["userId"]!.GetValue<string>());
        kpis = await HotlineKpis(today);
        Assert.Equal((1.0, 1), (kpis["acceptanceNotifiedRate"]!.GetValue<double>(), kpis["failedNotices"]!.GetValue<int>()));
    }

    private static string InstantToCityDate(Instant at) =>
        at.InZone(DateTimeZoneProviders.Tzdb["Asia/Shanghai"]).Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<JsonNode> HotlineKpis(string day)
    {
        await _server.WaitForProjectionsAsync();
        var response = await _server.PostGraphQL("query($d: Date!) { hotlineKpis(from: $d, to: $d) { cases acceptanceNotifiedRate failedNotices } }",
            new { d = day }, _client.Analyst);
        Assert.True(response.Errors is null, response.ToString());
        return response.Data!["hotlineKpis"]!;
    }

    [Fact]
    public async Task Without_a_webhook_nothing_is_queued_or_sent_and_an_agent_is_told_to_notify_by_hand()
    {
        var plain = new CityCaseServer();
        await plain.InitializeAsync();
        try
        {
            var c = new CaseClient(plain);
            var (id, _) = await c.Report();
            await c.Must("acceptCase", c.Dispatcher, id, new { categoryCode = "0105", urgency = "NORMAL" });
            var refused = await c.Do("sendCitizenNotice", c.Agent, id, new { kind = "ACCEPTANCE" });
            Assert.Equal("VALIDATION_FAILED", refused.FirstErrorCode);
            Assert.Contains("Notices:WebhookUrl", refused.FirstErrorMessage);
            Assert.Equal(0, await c.EventsOf(id, "citizen_notice_queued"));
            Assert.Empty((await c.Case(id, "notices { id }"))["notices"]!.AsArray());
            // Agents still record what they told the citizen themselves.
            await c.Must("notifyCitizen", c.Agent, id, new { kind = "ACCEPTANCE", channel = "phone" });
            Assert.Empty(_receiver.Requests);
        }
        finally
        {
            await plain.DisposeAsync();
        }
    }
}

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityCase.IntegrationTests.Hosting;
using CityCase.IntegrationTests.Infrastructure;
using CityCase.IntegrationTests.MultiNode;
using Npgsql;

namespace CityCase.IntegrationTests.Notices;

/// <summary>
/// The server killed (SIGKILL) between the commit of a notice and the end of its send: the webhook has the request, the
/// server dies before the answer, and nothing records the delivery. The restarted server sends it again from Wolverine's
/// durable inbox with the same idempotency key: the receiver sends the text once, and the case records one delivery.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class NoticeAcrossRestartTests
{
    [Fact]
    public async Task A_notice_whose_server_was_killed_mid_send_is_sent_again_after_the_restart_and_recorded_exactly_once()
    {
        await using var receiver = await NoticeReceiver.StartAsync();
        var held = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Answer = r => r.Attempt == 1 ? held.Task : Task.FromResult(200); // the first attempt hangs until the kill

        var database = await TestPostgres.CreateDatabaseAsync("notices_restart");
        var workingDirectory = Directory.CreateTempSubdirectory("citycase-notices-").FullName; // one privacy key for both runs
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Marten"] = database,
            ["Notices__WebhookUrl"] = receiver.Url,
            ["Notices__Secret"] = NoticeReceiver.Secret,
            ["Notices__TimeoutSeconds"] = "120", // the held attempt must not time out on its own: only the kill ends it
            ["Notices__RetryDelaysSeconds__0"] = "1",
            ["Notices__RetryDelaysSeconds__1"] = "1",
        };
        try
        {
            var (first, http) = await ServerProcess.StartNodeAsync(workingDirectory, environment);
            string caseId;
            await using (first)
            {
                caseId = await ReportAndAccept(http);
                await Eventually.WaitUntil(() => Task.FromResult(!receiver.Requests.IsEmpty), TimeSpan.FromSeconds(30), "the first attempt");
            } // killed (SIGKILL) while the webhook holds its request
            held.SetResult(200);
            Assert.Equal(1, await TestPostgres.ScalarAsync(database, $"select count(*) from citycase.mt_events where stream_id = '{caseId}' and type = 'citizen_notice_queued'"));
            Assert.Equal(0, await TestPostgres.ScalarAsync(database, $"select count(*) from citycase.mt_events where stream_id = '{caseId}' and type = 'citizen_notified'"));
            Assert.Equal(1, await TestPostgres.ScalarAsync(database, "select count(*) from citycase.wolverine_incoming_envelopes where message_type like '%DeliverCitizenNotice'"));

            var (second, _) = await ServerProcess.StartNodeAsync(workingDirectory, environment);
            await using (second)
            {
                await Eventually.WaitUntil(async () => await TestPostgres.ScalarAsync(database,
                        $"select count(*) from citycase.mt_events where stream_id = '{caseId}' and type = 'citizen_notified'") == 1,
                    TimeSpan.FromSeconds(90), "the notice's delivery recorded after the restart", pollMilliseconds: 200);
                await Task.Delay(TimeSpan.FromSeconds(3)); // nothing more comes
                var requests = receiver.Requests.ToList();
                Console.WriteLine($"Notice across a kill: {requests.Count} requests, keys {string.Join(", ", requests.Select(r => r.Key).Distinct())}, " +
                                  $"the second {(requests[^1].At - requests[0].At).TotalSeconds:0.0} s after the first");
                Assert.Equal(2, requests.Count);
                Assert.Single(requests.Select(r => r.Key).Distinct());
                Assert.All(requests, r => Assert.True(r.SignatureValid));
                Assert.Single(receiver.Sent); // the receiver sent the text once
                Assert.Equal(1, await TestPostgres.ScalarAsync(database, $"select count(*) from citycase.mt_events where stream_id = '{caseId}' and type = 'citizen_notified'"));
                Assert.Equal(0, await TestPostgres.ScalarAsync(database, "select count(*) from citycase.wolverine_incoming_envelopes where message_type like '%DeliverCitizenNotice' and status <> 'Handled'"));
            }
        }
        finally
        {
            try { Directory.Delete(workingDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static async Task<string> ReportAndAccept(HttpClient http)
    {
        var report = await Post(http, CityCaseServer.Token("agent", "alice"), Samples.ReportComplaint, new
        {
            input = new
            {
                description = "Street lamp out", location = new { longitude = 121.4737, latitude = 31.2304 },
                citizen = new { name = "Zhang San", phone = "13900000000" },
            },
        });
        var id = report["reportComplaint"]!["case"]!["id"]!.GetValue<string>();
        await Post(http, CityCaseServer.Token("dispatcher", "dan"),
            "mutation($input: AcceptCaseInput!) { acceptCase(input: $input) { case { status } } }",
            new { input = new { caseId = id, categoryCode = "0105", urgency = "NORMAL" } });
        return id;
    }

    private static async Task<JsonNode> Post(HttpClient http, string token, string query, object variables)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { query, variables }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(body["errors"] is null, body.ToJsonString());
        return body["data"]!;
    }

}

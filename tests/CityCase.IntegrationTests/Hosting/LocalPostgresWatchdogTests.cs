using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CityCase.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace CityCase.IntegrationTests.Hosting;

/// <summary>
/// The private PostgreSQL dies under load (kill -9 of its postmaster) and the server, never restarted, carries on:
/// its watchdog restarts PostgreSQL, requests in the meantime get a retryable SERVICE_UNAVAILABLE, and every write
/// that was acknowledged is still there afterwards.
/// </summary>
public sealed class LocalPostgresWatchdogTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Clients = 4;
    private const int AcknowledgedBeforeKill = 20;
    private static readonly TimeSpan LongestOutage = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan LoadAfterRecovery = TimeSpan.FromSeconds(2);

    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("citycase-watchdog-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_workingDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }

    private sealed record Outcome(int Client, DateTime At, HttpStatusCode Status, Guid? CaseId, string? Number, IReadOnlyList<string> Codes, string Body);

    [Fact]
    public async Task Killing_the_private_postgresql_mid_load_loses_no_acknowledged_write_and_the_server_carries_on()
    {
        await using var server = new ServerProcess(_workingDirectory,
            new Dictionary<string, string?> { ["ConnectionStrings__Marten"] = null }, "--urls", "http://127.0.0.1:0");
        var ready = await server.WaitForLine(l => l.Contains("CityCase is ready:"), TimeSpan.FromSeconds(90));
        Assert.True(ready is not null, "the server never said it was ready:\n" + server.Output);
        var url = new Uri(Regex.Match(ready!, @"http://\S+/graphql").Value);
        using var http = new HttpClient { BaseAddress = new Uri(url.GetLeftPart(UriPartial.Authority)), Timeout = TimeSpan.FromSeconds(20) };
        var token = CityCaseServer.Token("agent");
        var pidFile = Path.Combine(_workingDirectory, ".citycase", "pgdata", "postmaster.pid");

        // The load: a few clients reporting complaints one after another until told to stop.
        var outcomes = new ConcurrentBag<Outcome>();
        using var stopLoad = new CancellationTokenSource(TimeSpan.FromSeconds(50)); // a bound whatever happens
        var load = Enumerable.Range(1, Clients).Select(client => Task.Run(async () =>
        {
            for (var i = 0; !stopLoad.IsCancellationRequested; i++)
            {
                try
                {
                    outcomes.Add(await Report(http, token, client, $"Watchdog load: client {client}, report {i}"));
                }
                catch (OperationCanceledException) when (stopLoad.IsCancellationRequested)
                {
                    break;
                }
            }
        })).ToArray();

        // Kill once the load is flowing (the first requests warm the server up), mid-request.
        for (var warming = Stopwatch.StartNew(); outcomes.Count(o => o.CaseId is not null) < AcknowledgedBeforeKill
                                                  && warming.Elapsed < TimeSpan.FromSeconds(20);)
            await Task.Delay(20);
        var postmaster = int.Parse(File.ReadLines(pidFile).First());
        var killedAt = DateTime.UtcNow;
        using (var process = Process.GetProcessById(postmaster)) process.Kill(); // SIGKILL
        var acknowledgedBeforeKill = outcomes.Count(o => o.CaseId is not null && o.At <= killedAt);

        // /health: 503 while PostgreSQL is down, 200 again once the watchdog has restarted it.
        var sawUnavailable = false;
        TimeSpan? healthyAfter = null;
        var health = Stopwatch.StartNew();
        while (health.Elapsed < LongestOutage)
        {
            using var response = await http.GetAsync("/health");
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable) sawUnavailable = true;
            else if (response.StatusCode == HttpStatusCode.OK && sawUnavailable)
            {
                healthyAfter = DateTime.UtcNow - killedAt;
                break;
            }
            else Assert.True(response.StatusCode is HttpStatusCode.OK, $"/health answered {(int)response.StatusCode}");
            await Task.Delay(100);
        }
        Assert.True(sawUnavailable, "/health should have answered 503 while PostgreSQL was down");
        Assert.True(healthyAfter is not null, $"/health was not 200 again within {LongestOutage.TotalSeconds} s of the kill:\n" + Tail(server.Output));

        await Task.Delay(LoadAfterRecovery); // writes keep flowing on the restarted PostgreSQL
        await stopLoad.CancelAsync();
        await Task.WhenAll(load);

        var all = outcomes.OrderBy(o => o.At).ToList();
        var acknowledged = all.Where(o => o.CaseId is not null).ToList();
        var failed = all.Where(o => o.CaseId is null).ToList();
        var firstRefusal = failed.FirstOrDefault()?.At;
        var firstAckAfterOutage = acknowledged.FirstOrDefault(o => o.At > firstRefusal);
        output.WriteLine($"{all.Count} reports from {Clients} clients: {acknowledged.Count} acknowledged ({acknowledgedBeforeKill} before the kill), " +
                         $"{failed.Count} refused; /health 200 again {healthyAfter.Value.TotalSeconds:0.0} s after the kill");
        foreach (var group in failed.GroupBy(f => (f.Status, string.Join(",", f.Codes))))
            output.WriteLine($"  refused {group.Count()}x: HTTP {(int)group.Key.Status} codes [{group.Key.Item2}]");

        // Every refusal said SERVICE_UNAVAILABLE (no INTERNAL_SERVER_ERROR), over 200 (GraphQL) or 503 only.
        Assert.True(acknowledgedBeforeKill > 0, "no write was acknowledged before the kill");
        Assert.NotEmpty(failed);
        foreach (var f in failed)
        {
            Assert.True(f.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"HTTP {(int)f.Status}: {f.Body}");
            Assert.True(f.Codes.Count > 0 && f.Codes.All(c => c == "SERVICE_UNAVAILABLE"),
                $"a refusal not SERVICE_UNAVAILABLE: {f.Body}\n--- what the server logged of it:\n{UnhandledErrors(server.Output)}");
            Assert.Contains("retry", f.Body);
        }
        Assert.Contains(acknowledged, o => o.At > killedAt + healthyAfter.Value); // writes succeeded after the recovery

        // Every acknowledged write is there, read back through GraphQL from the same (never restarted) server.
        Assert.False(server.HasExited, "the server process should have kept running");
        var missing = new List<string>();
        foreach (var ack in acknowledged)
        {
            var body = await Post(http, token, JsonSerializer.Serialize(new
            {
                query = "query($id: ID!) { case(id: $id) { id number description } }",
                variables = new { id = ack.CaseId },
            }));
            var found = JsonNode.Parse(body)?["data"]?["case"];
            if (found?["number"]?.GetValue<string>() != ack.Number) missing.Add($"{ack.CaseId} {ack.Number}: {body}");
        }
        Assert.True(missing.Count == 0, $"{missing.Count} acknowledged writes are missing:\n" + string.Join('\n', missing.Take(10)));

        // And a new write succeeds.
        var after = await Report(http, token, 0, "Watchdog: after the recovery");
        Assert.True(after.CaseId is not null, after.Body);
        Assert.Contains("restarted (postmaster pid", server.Output);
        Assert.DoesNotContain("INTERNAL_SERVER_ERROR", string.Join('\n', all.Select(o => o.Body)));
        output.WriteLine($"first write acknowledged after the outage began: {(firstAckAfterOutage is null ? "none" : $"{(firstAckAfterOutage.At - killedAt).TotalSeconds:0.0} s after the kill")}");
        output.WriteLine(string.Join('\n', server.Output.Split('\n').Where(l => l.Contains("PostgreSQL on 127.0.0.1")).Select(l => l.Trim())));

        await server.StopAsync(TimeSpan.FromSeconds(60));
        Assert.False(File.Exists(pidFile), "stopping the server should stop its (restarted) PostgreSQL:\n" + Tail(server.Output));
    }

    private static async Task<Outcome> Report(HttpClient http, string token, int client, string description)
    {
        var json = JsonSerializer.Serialize(new
        {
            query = "mutation($input: ReportComplaintInput!) { reportComplaint(input: $input) { case { id number } } }",
            variables = new { input = new { description, location = new { longitude = 121.47, latitude = 31.23 } } },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var at = DateTime.UtcNow;
        JsonNode? parsed = null;
        try { parsed = JsonNode.Parse(body); } catch (JsonException) { }
        var errors = parsed?["errors"]?.AsArray();
        var codes = errors?.Select(e => e?["extensions"]?["code"]?.GetValue<string>() ?? "(no code)").ToList() ?? [];
        var @case = parsed?["data"]?["reportComplaint"]?["case"];
        var acknowledged = response.StatusCode == HttpStatusCode.OK && codes.Count == 0 && @case?["id"] is not null;
        return new Outcome(client, at, response.StatusCode,
            acknowledged ? Guid.Parse(@case!["id"]!.GetValue<string>()) : null,
            acknowledged ? @case!["number"]!.GetValue<string>() : null,
            codes, body);
    }

    private static async Task<string> Post(HttpClient http, string token, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    private static string Tail(string text) => string.Join('\n', text.Split('\n').TakeLast(60));

    /// <summary>The server's log of each unexpected error, with its exception, for a failure message.</summary>
    private static string UnhandledErrors(string log)
    {
        var lines = log.Split('\n');
        return string.Join("\n...\n", lines.Select((line, i) => (line, i)).Where(x => x.line.Contains("Unhandled error"))
            .Take(3).Select(x => string.Join('\n', lines.Skip(x.i).Take(40))));
    }
}

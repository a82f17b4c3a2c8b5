using System.Net;
using System.Text.RegularExpressions;
using CityCase.Api.Hosting;
using CityCase.Api.LocalPostgres;
using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.Hosting;

/// <summary>
/// The README's start command, as a person runs it: no configuration, a private PostgreSQL that the
/// server creates, stops with it, and reuses on the next start.
/// </summary>
public sealed class LocalServerTests : IAsyncLifetime
{
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("citycase-start-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try { Directory.Delete(_workingDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }

    private async Task<(ServerProcess Server, Uri Url)> Start()
    {
        var server = new ServerProcess(_workingDirectory,
            new Dictionary<string, string?> { ["ConnectionStrings__Marten"] = null }, "--urls", "http://127.0.0.1:0");
        var ready = await server.WaitForLine(l => l.Contains("CityCase is ready:"), TimeSpan.FromSeconds(120));
        Assert.True(ready is not null, "the server never said it was ready:\n" + server.Output);
        return (server, new Uri(Regex.Match(ready!, @"http://\S+/graphql").Value));
    }

    [Fact]
    public async Task With_no_configuration_the_server_runs_its_own_postgresql_and_reuses_its_data()
    {
        var pidFile = Path.Combine(_workingDirectory, ".citycase", "pgdata", "postmaster.pid");
        var token = CityCaseServer.Token("agent");
        string number;

        var (first, url) = await Start();
        await using (first)
        {
            using var http = new HttpClient { BaseAddress = new Uri(url.GetLeftPart(UriPartial.Authority)) };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
            Assert.True(File.Exists(pidFile), "the private cluster should be running in .citycase/pgdata");
            number = await Report(http, token);

            await first.StopAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, first.ExitCode);
            Assert.False(File.Exists(pidFile), "stopping the server should stop its PostgreSQL:\n" + first.Output);
        }

        var (second, url2) = await Start();
        await using (second)
        {
            using var http = new HttpClient { BaseAddress = new Uri(url2.GetLeftPart(UriPartial.Authority)) };
            var found = await PostJson(http, token, $$"""{"query":"{ case(number: \"{{number}}\") { number status } }"}""");
            Assert.Contains(number, found);
            await second.StopAsync(TimeSpan.FromSeconds(60));
        }
    }

    [Fact]
    public async Task An_idempotent_retry_after_the_server_and_its_postgresql_are_killed_gets_the_acknowledged_case()
    {
        var token = CityCaseServer.Token("agent", "alice");
        const string report = """
            {"query":"mutation { reportComplaint(input: {description: \"Manhole cover missing\", idempotencyKey: \"call-4711\", location: {longitude: 121.47, latitude: 31.23}}) { case { number } } }"}
            """;
        string number;

        var (first, url) = await Start();
        await using (first)
        {
            using var http = new HttpClient { BaseAddress = new Uri(url.GetLeftPart(UriPartial.Authority)) };
            number = Regex.Match(await PostJson(http, token, report), @"\d{8}-\d{5}").Value;
            Assert.NotEmpty(number);
        } // disposing kills the server's whole process tree (SIGKILL), its PostgreSQL with it

        var (second, url2) = await Start();
        await using (second)
        {
            using var http = new HttpClient { BaseAddress = new Uri(url2.GetLeftPart(UriPartial.Authority)) };
            Assert.Equal(number, Regex.Match(await PostJson(http, token, report), @"\d{8}-\d{5}").Value);
            var listed = await PostJson(http, CityCaseServer.Token("dispatcher"), """{"query":"{ cases(first: 100) { edges { node { number } } } }"}""");
            Assert.Single(Regex.Matches(listed, @"\d{8}-\d{5}"));
            await second.StopAsync(TimeSpan.FromSeconds(60));
        }
    }

    [Fact]
    public async Task Health_answers_503_once_postgresql_is_gone()
    {
        var dataDirectory = Path.Combine(_workingDirectory, "pg");
        var cluster = await LocalPostgresCluster.StartAsync(dataDirectory, durable: false);
        await using var _ = cluster;
        await cluster.CreateDatabaseAsync("citycase");
        var app = await CityCaseApp.BuildAsync(
        [
            "--environment", "Development", "--urls", "http://127.0.0.1:0",
            "--ConnectionStrings:Marten", cluster.ConnectionString("citycase"),
            "--Logging:LogLevel:Default", "None",
        ]);
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(CityCaseApp.ListeningAddresses(app).Single()) };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
            var ready = await http.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("events behind the high-water mark", await ready.Content.ReadAsStringAsync());

            await cluster.StopAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health")).StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode); // the process itself is fine
        }
        finally
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await app.StopAsync(stopping.Token); } catch (OperationCanceledException) { }
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_node_whose_projections_fall_behind_is_not_ready_but_still_live()
    {
        var server = new CityCaseServer { Arguments = ["--Health:MaxProjectionLag", "-1"] }; // any lag at all is too much
        await server.InitializeAsync();
        try
        {
            var ready = await server.Http.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("more than -1", await ready.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static async Task<string> Report(HttpClient http, string token)
    {
        var body = await PostJson(http, token, """
            {"query":"mutation { reportComplaint(input: {description: \"Manhole cover missing\", location: {longitude: 121.47, latitude: 31.23}}) { case { number } } }"}
            """);
        return Regex.Match(body, @"\d{8}-\d{5}").Value is { Length: > 0 } number
            ? number
            : throw new Xunit.Sdk.XunitException("no case number in " + body);
    }

    private static async Task<string> PostJson(HttpClient http, string token, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }
}

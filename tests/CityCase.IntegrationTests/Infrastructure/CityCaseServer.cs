using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityCase.Api.Auth;
using CityCase.Api.Hosting;
using CityCase.Engine.Sla;
using Marten;
using Marten.Events;
using Microsoft.AspNetCore.Builder;
using Npgsql;
using Wolverine;
using Wolverine.Tracking;

namespace CityCase.IntegrationTests.Infrastructure;

/// <summary>
/// The real server on a real loopback port, over its own database: tests talk to it through HTTP
/// exactly as clients do.
/// </summary>
public sealed class CityCaseServer : IAsyncLifetime
{
    private WebApplication? _app;

    public string ConnectionString { get; private set; } = "";
    public Uri BaseAddress { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public IServiceProvider Services => _app!.Services;

    /// <summary>A clock of the test's own (a NodaTime FakeClock), instead of the system clock.</summary>
    public IClock? Clock { get; init; }

    /// <summary>Another node's database (its connection string), to run several nodes on one PostgreSQL.</summary>
    public string? SharedDatabase { get; init; }

    /// <summary>More services of the test's own, registered after the server's (e.g. an in-memory trace exporter).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    /// <summary>More command-line settings, e.g. <c>--Sla:PollSeconds 0</c>.</summary>
    public string[] Arguments { get; init; } = [];

    /// <summary>
    /// A server on the test's own clock whose SLA timekeeper does not poll: the test moves the clock and
    /// runs the timekeeper itself (<see cref="RunTimekeeperOnceAsync"/>).
    /// </summary>
    public static CityCaseServer OnClock(IClock clock) => new() { Clock = clock, Arguments = ["--Sla:PollSeconds", "0"] };

    /// <summary>
    /// One pass of the SLA timekeeper (one light level per clock and pass); returns the timers it fired, once the
    /// durable queue has handled the lights it handed off (Wolverine's message tracking waits for them).
    /// </summary>
    public async Task<int> RunTimekeeperOnceAsync()
    {
        var fired = 0;
        await _app!.TrackActivity().Timeout(TimeSpan.FromSeconds(30))
            .ExecuteAndWaitAsync((Func<IMessageContext, Task>)(async _ => fired = await Services.GetRequiredService<SlaTimekeeper>().RunOnceAsync()));
        return fired;
    }

    /// <summary>Waits (a minute at most) until the async projections have caught up with the events.</summary>
    public Task WaitForProjectionsAsync() =>
        Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(TimeSpan.FromSeconds(60));

    public async Task InitializeAsync()
    {
        ConnectionString = SharedDatabase ?? await TestPostgres.CreateDatabaseAsync("test");
        await StartAsync();
    }

    public Task DisposeAsync() => StopAsync();

    /// <summary>
    /// Stops the app and starts it again on the same database (and the same <see cref="Clock"/>), as after
    /// a redeploy. <paramref name="whileDown"/> runs while it is stopped, e.g. to move the clock on.
    /// The new app listens on a new port: <see cref="Http"/> and <see cref="BaseAddress"/> follow it.
    /// </summary>
    public async Task RestartAsync(Action? whileDown = null)
    {
        await StopAsync();
        whileDown?.Invoke();
        await StartAsync();
    }

    private async Task StartAsync()
    {
        _app = await CityCaseApp.BuildAsync(
        [
            "--environment", "Development",
            "--urls", "http://127.0.0.1:0",
            "--ConnectionStrings:Marten", ConnectionString,
            "--Logging:LogLevel:Default", "Warning",
            .. Arguments,
        ], builder =>
        {
            if (Clock is not null) builder.Services.AddSingleton(Clock);
            ConfigureServices?.Invoke(builder.Services);
        });
        await _app.StartAsync();
        BaseAddress = new Uri(CityCaseApp.ListeningAddresses(_app).Single());
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    private async Task StopAsync()
    {
        Http?.Dispose();
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync(); // with it the data source and its idle connections: a whole run would use up the cluster's
        _app = null;
    }

    public static string Token(string role, string user = "tester", string? department = null) =>
        JwtAuthentication.MintToken(AuthSettings.From(EmptyConfiguration, DevelopmentEnvironment),
            user, role, $"{user} (test)", department, TimeSpan.FromHours(1));

    /// <summary>POSTs a GraphQL request (with its operation name, when given) and returns the status and the parsed JSON body.</summary>
    public async Task<GraphQLResponse> PostGraphQL(string query, object? variables = null, string? token = null, string? operationName = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { query, variables, operationName }), Encoding.UTF8,
                "application/json"),
        };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Send(request);
    }

    public async Task<GraphQLResponse> Send(HttpRequestMessage request)
    {
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new GraphQLResponse((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType,
            JsonNode.Parse(text)!.AsObject(), text);
    }

    /// <summary>All events in the store (of one type, e.g. "case_reported", when given).</summary>
    public async Task<long> CountEvents(string? type = null)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from citycase.mt_events where $1::text is null or type = $1", connection)
        { Parameters = { new() { Value = (object?)type ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text } } };
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static readonly Microsoft.Extensions.Configuration.IConfiguration EmptyConfiguration =
        new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();

    private static readonly Microsoft.Extensions.Hosting.IHostEnvironment DevelopmentEnvironment =
        new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Development" };
}

public sealed record GraphQLResponse(int Status, string? MediaType, JsonObject Body, string Text)
{
    public JsonNode? Data => Body["data"];
    public JsonArray? Errors => Body["errors"] as JsonArray;
    public string? FirstErrorCode => Errors?[0]?["extensions"]?["code"]?.GetValue<string>();
    public string? FirstErrorMessage => Errors?[0]?["message"]?.GetValue<string>();

    public override string ToString() => $"{Status} {Text}";
}

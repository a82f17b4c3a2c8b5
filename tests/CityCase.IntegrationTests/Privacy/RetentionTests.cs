using CityCase.Engine.Privacy;
using CityCase.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace CityCase.IntegrationTests.Privacy;

/// <summary>The retention period erases a closed case's citizen by itself, once, as the system; open cases keep theirs.</summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private readonly FakeClock _clock = new(Instant.FromUtc(2026, 11, 24, 2, 0));
    private CityCaseServer _server = null!;
    private CaseClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = new CityCaseServer
        {
            Clock = _clock,
            Arguments = ["--Sla:PollSeconds", "0", "--City:Privacy:PollSeconds", "0", "--City:Privacy:RetentionDays", "30"],
        };
        await _server.InitializeAsync();
        _client = new CaseClient(_server);
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    private Task<int> RetentionPass() => _server.Services.GetRequiredService<CitizenDataRetention>().RunOnceAsync();

    [Fact]
    public async Task Thirty_days_after_a_case_ends_its_citizen_is_erased_once_and_an_open_case_keeps_its_own()
    {
        var (ended, _) = await _client.Report();
        var (open, _) = await _client.Report(description: "Lamp out at the corner");
        await _client.Must("rejectCase", _client.Dispatcher, ended, new { reason = "not the city's" });

        _clock.Advance(Duration.FromDays(29));
        Assert.Equal(0, await RetentionPass());

        _clock.Advance(Duration.FromDays(2));
        Assert.Equal(1, await RetentionPass());
        Assert.Equal(0, await RetentionPass()); // a second pass, or another node's, finds nothing more to do
        Assert.Equal(1, await _client.EventsOf(ended, "citizen_data_erased"));
        Assert.Equal(0, await _client.EventsOf(open, "citizen_data_erased"));

        var history = await _client.History(ended);
        var erasure = history.Single(e => (string)e!["type"]! == "CitizenDataErased")!;
        Assert.Equal(("citycase-retention", "system"), ((string)erasure["actor"]!["userId"]!, (string)erasure["actor"]!["role"]!));
        Assert.Contains("retention period (30 days", (string)erasure["data"]!);
        Assert.True((bool)(await _client.Case(ended, "citizen { erased }"))["citizen"]!["erased"]!);
        Assert.Equal("139****0000", (string?)(await _client.Case(open, "citizen { phone }"))["citizen"]!["phone"]);
    }
}

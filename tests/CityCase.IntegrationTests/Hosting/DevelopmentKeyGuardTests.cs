using System.Net;
using CityCase.Api.Hosting;
using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.Hosting;

/// <summary>The built-in development key never signs tokens for a server that other machines can reach.</summary>
public sealed class DevelopmentKeyGuardTests
{
    private const string Key = "a-signing-key-of-at-least-thirty-two-bytes-for-tests";

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://127.0.0.2:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://unix:/tmp/citycase.sock", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://*:5080", false)]
    [InlineData("http://+:5080", false)]
    [InlineData("http://[::]:5080", false)]
    [InlineData("http://192.168.1.20:5080", false)]
    [InlineData("http://citycase.example:5080", false)]
    public void Loopback_addresses_are_told_from_reachable_ones(string url, bool loopback) =>
        Assert.Equal(loopback, DevelopmentKeyGuard.IsLoopback(url));

    [Fact]
    public async Task Listening_beyond_loopback_in_Development_without_a_key_is_refused()
    {
        foreach (var urls in new[] { "http://0.0.0.0:0", "http://127.0.0.1:0;http://*:0" })
        {
            // No connection string either: the refusal comes before any PostgreSQL is started.
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CityCaseApp.BuildAsync(
                ["--environment", "Development", "--urls", urls, "--Auth:SigningKey", ""]));
            Assert.Contains("Auth__SigningKey", error.Message);
            Assert.Contains("32 bytes", error.Message);
        }
        var ports = await Assert.ThrowsAsync<InvalidOperationException>(() => CityCaseApp.BuildAsync(
            ["--environment", "Development", "--urls", "", "--http_ports", "0"]));
        Assert.Contains("Auth__SigningKey", ports.Message);
    }

    [Theory]
    [InlineData("http://0.0.0.0:0", Key)]
    [InlineData("http://127.0.0.1:0", null)]
    public async Task With_a_key_or_on_loopback_the_server_starts(string urls, string? key)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("devkey");
        string[] args = ["--environment", "Development", "--urls", urls, "--ConnectionStrings:Marten", connectionString,
            "--Logging:LogLevel:Default", "None"];
        var app = await CityCaseApp.BuildAsync(key is null ? args : [.. args, "--Auth:SigningKey", key]);
        await app.StartAsync();
        try
        {
            var port = new Uri(CityCaseApp.ListeningAddresses(app).First().Replace("*", "localhost")).Port;
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        }
        finally
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try { await app.StopAsync(stopping.Token); } catch (OperationCanceledException) { }
            await app.DisposeAsync();
        }
    }
}

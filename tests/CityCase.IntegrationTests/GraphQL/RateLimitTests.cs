using System.Net;
using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.GraphQL;

/// <summary>Devices (per device) and anonymous callers are rate-limited with 429 and Retry-After; staff are not.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private readonly CityCaseServer _server = new()
    {
        Arguments = ["--RateLimits:Device:PermitsPerMinute", "3", "--RateLimits:Anonymous:PermitsPerMinute", "3"],
    };

    public Task InitializeAsync() => _server.InitializeAsync();
    public Task DisposeAsync() => _server.DisposeAsync();

    private async Task<HttpResponseMessage> Post(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = new StringContent("""{"query":"{ departments { code } }"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        if (token is not null) request.Headers.Authorization = new("Bearer", token);
        return await _server.Http.SendAsync(request);
    }

    [Fact]
    public async Task The_fourth_request_in_a_minute_from_a_device_or_an_anonymous_caller_is_answered_429_with_retry_after()
    {
        foreach (var token in new[] { CityCaseServer.Token("device", "gateway-1"), null })
        {
            for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await Post(token)).StatusCode);
            var limited = await Post(token);
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, limited.Headers.ToString());
            Assert.Contains("RATE_LIMITED", await limited.Content.ReadAsStringAsync());
        }
        // Another device has its own allowance, and staff are not limited.
        Assert.Equal(HttpStatusCode.OK, (await Post(CityCaseServer.Token("device", "gateway-2"))).StatusCode);
        var agent = CityCaseServer.Token("agent", "alice");
        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.OK, (await Post(agent)).StatusCode);
    }
}

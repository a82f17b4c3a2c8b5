using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using CityCase.Api.Auth;
using CityCase.Api.GraphQL;
using CityCase.IntegrationTests.Infrastructure;
using static CityCase.IntegrationTests.Infrastructure.RawWebSocket;

namespace CityCase.IntegrationTests.Subscriptions;

/// <summary>The WebSocket transport's limits: token expiry, malformed messages, message size, subscriptions per socket.</summary>
public sealed class SocketLimitsTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private const string Alerts = """subscription { slaAlerts { caseId } }""";

    private Task<ClientWebSocket> Connect() => RawWebSocket.Connect(server.BaseAddress);

    private async Task<ClientWebSocket> ConnectAndInit(string? token = null)
    {
        var socket = await Connect();
        await Send(socket, $$$"""{"type":"connection_init","payload":{"token":"{{{token ?? CityCaseServer.Token("supervisor")}}}"}}""");
        Assert.Equal("""{"type":"connection_ack"}""", await Receive(socket));
        return socket;
    }

    [Theory]
    [InlineData("""{"type":5}""")]
    [InlineData("""{"type":"nonsense"}""")]
    [InlineData("""{"type":null}""")]
    [InlineData("""{"type":["ping"]}""")]
    [InlineData("""{"type":"ping","type":"pong"}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""not json""")]
    public async Task A_message_that_is_not_the_protocols_is_4400_before_and_after_the_init(string message)
    {
        using var fresh = await Connect();
        await Send(fresh, message);
        Assert.StartsWith("CLOSE 4400", await Receive(fresh));

        using var initialised = await ConnectAndInit();
        await Send(initialised, message);
        Assert.StartsWith("CLOSE 4400", await Receive(initialised));
    }

    [Fact]
    public async Task A_subscribe_whose_id_is_not_a_string_is_4400()
    {
        using var socket = await ConnectAndInit();
        await Send(socket, $$$"""{"id":7,"type":"subscribe","payload":{"query":"{{{Alerts}}}"}}""");
        Assert.StartsWith("CLOSE 4400", await Receive(socket));
    }

    [Fact]
    public async Task A_token_that_is_not_a_string_is_4403()
    {
        using var socket = await Connect();
        await Send(socket, """{"type":"connection_init","payload":{"token":42}}""");
        Assert.StartsWith("CLOSE 4403", await Receive(socket));
    }

    [Fact]
    public async Task A_message_over_64_KiB_is_closed_with_1009_and_one_just_under_is_served()
    {
        using var socket = await ConnectAndInit();
        // Just under the limit: a message padded with a property the protocol ignores still runs.
        var padded = $$$"""{"id":"ok","type":"subscribe","payload":{"query":"{ departments { code } }"},"pad":"{{{new string('x', GraphQLWebSocketSession.MaxMessageBytes - 200)}}}"}""";
        Assert.True(Encoding.UTF8.GetByteCount(padded) <= GraphQLWebSocketSession.MaxMessageBytes);
        await Send(socket, padded);
        Assert.Contains("\"type\":\"next\"", await Receive(socket));
        Assert.Equal("""{"id":"ok","type":"complete"}""", await Receive(socket));

        var big = $$$"""{"id":"big","type":"subscribe","payload":{"query":"{ departments { code } }"},"pad":"{{{new string('x', GraphQLWebSocketSession.MaxMessageBytes)}}}"}""";
        await Send(socket, big);
        Assert.StartsWith("CLOSE 1009", await Receive(socket));
    }

    [Fact]
    public async Task The_subscription_past_the_limit_is_an_error_with_a_code_and_the_socket_stays_open()
    {
        using var socket = await ConnectAndInit();
        for (var i = 1; i <= GraphQLWebSocketSession.MaxSubscriptions; i++)
            await Send(socket, $$$"""{"id":"s{{{i}}}","type":"subscribe","payload":{"query":"{{{Alerts}}}"}}""");
        await Send(socket, $$$"""{"id":"one-too-many","type":"subscribe","payload":{"query":"{{{Alerts}}}"}}""");
        var refused = await Receive(socket);
        Assert.Contains("\"id\":\"one-too-many\"", refused);
        Assert.Contains("\"type\":\"error\"", refused);
        Assert.Contains(GraphQLWebSocketSession.TooManySubscriptions, refused);

        // Still open: a ping is answered, a query (not counted) runs, and completing one frees a place.
        await Send(socket, """{"type":"ping"}""");
        Assert.Equal("""{"type":"pong"}""", await Receive(socket));
        await Send(socket, """{"id":"q","type":"subscribe","payload":{"query":"{ departments { code } }"}}""");
        Assert.Contains("\"type\":\"next\"", await Receive(socket));
        Assert.Equal("""{"id":"q","type":"complete"}""", await Receive(socket));
        await Send(socket, """{"id":"s1","type":"complete"}""");
        await Send(socket, $$$"""{"id":"again","type":"subscribe","payload":{"query":"{{{Alerts}}}"}}""");
        await Send(socket, """{"type":"ping"}""");
        Assert.Equal("""{"type":"pong"}""", await Receive(socket)); // no error came for "again"
    }

    [Fact]
    public async Task A_token_that_expires_while_subscribed_closes_the_socket_with_4403()
    {
        var settings = AuthSettings.From(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(),
            new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Development" });
        var shortLived = JwtAuthentication.MintToken(settings, "brief", "supervisor", null, null, TimeSpan.FromSeconds(3));
        using var socket = await ConnectAndInit(shortLived);
        await Send(socket, $$$"""{"id":"1","type":"subscribe","payload":{"query":"{{{Alerts}}}"}}""");
        var clock = Stopwatch.StartNew();
        Assert.StartsWith("CLOSE 4403", await Receive(socket, seconds: 15));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_expired_token_is_refused_at_the_init()
    {
        var settings = AuthSettings.From(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(),
            new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Development" });
        // Past its expiry by more than the 30 s clock skew.
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = settings.Issuer, Audience = settings.Audience,
            Claims = new Dictionary<string, object> { ["sub"] = "late", ["role"] = "supervisor" },
            IssuedAt = DateTime.UtcNow.AddHours(-2), NotBefore = DateTime.UtcNow.AddHours(-2), Expires = DateTime.UtcNow.AddMinutes(-5),
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(settings.Key, "HS256"),
        });
        using var socket = await Connect();
        await Send(socket, $$$"""{"type":"connection_init","payload":{"token":"{{{token}}}"}}""");
        Assert.StartsWith("CLOSE 4403", await Receive(socket));
    }
}

using System.Net.WebSockets;
using System.Text;
using CityCase.IntegrationTests.Infrastructure;
using static CityCase.IntegrationTests.Infrastructure.RawWebSocket;

namespace CityCase.IntegrationTests.Subscriptions;

/// <summary>The graphql-transport-ws refusals, driven with a raw WebSocket client.</summary>
public sealed class ProtocolTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private Task<ClientWebSocket> Connect(string? protocol = "graphql-transport-ws") => RawWebSocket.Connect(server.BaseAddress, protocol);

    [Fact]
    public async Task Init_ack_ping_pong_and_a_query_over_the_socket()
    {
        using var socket = await Connect();
        Assert.Equal("graphql-transport-ws", socket.SubProtocol);
        await Send(socket, $$$"""{"type":"connection_init","payload":{"token":"{{{CityCaseServer.Token("supervisor")}}}"}}""");
        Assert.Equal("""{"type":"connection_ack"}""", await Receive(socket));
        await Send(socket, """{"type":"ping"}""");
        Assert.Equal("""{"type":"pong"}""", await Receive(socket));
        await Send(socket, """{"id":"1","type":"subscribe","payload":{"query":"{ departments { code } }"}}""");
        Assert.Contains("\"type\":\"next\"", await Receive(socket));
        Assert.Equal("""{"id":"1","type":"complete"}""", await Receive(socket));
    }

    [Fact]
    public async Task Subscribing_before_the_init_is_4401()
    {
        using var socket = await Connect();
        await Send(socket, """{"id":"1","type":"subscribe","payload":{"query":"subscription { slaAlerts { caseId } }"}}""");
        Assert.StartsWith("CLOSE 4401", await Receive(socket));
    }

    [Fact]
    public async Task A_message_that_is_not_the_protocols_is_4400()
    {
        using var socket = await Connect();
        await Send(socket, """{"type":"hello"}""");
        Assert.StartsWith("CLOSE 4400", await Receive(socket));
    }

    [Fact]
    public async Task A_second_init_is_4429_and_a_reused_id_4409()
    {
        using var socket = await Connect();
        var init = $$$"""{"type":"connection_init","payload":{"token":"{{{CityCaseServer.Token("supervisor")}}}"}}""";
        await Send(socket, init);
        await Receive(socket);
        await Send(socket, """{"id":"a","type":"subscribe","payload":{"query":"subscription { slaAlerts { caseId } }"}}""");
        await Send(socket, """{"id":"a","type":"subscribe","payload":{"query":"subscription { slaAlerts { caseId } }"}}""");
        Assert.StartsWith("CLOSE 4409", await Receive(socket));

        using var again = await Connect();
        await Send(again, init);
        await Receive(again);
        await Send(again, init);
        Assert.StartsWith("CLOSE 4429", await Receive(again));
    }

    [Fact]
    public async Task Without_the_subprotocol_the_socket_is_closed_4406()
    {
        using var socket = await Connect(protocol: null);
        Assert.StartsWith("CLOSE 4406", await Receive(socket));
    }
}

using System.Net.WebSockets;
using System.Text;

namespace CityCase.IntegrationTests.Infrastructure;

/// <summary>A bare WebSocket client for the graphql-transport-ws tests: connect, send a text, receive a text or the close.</summary>
public static class RawWebSocket
{
    public static async Task<ClientWebSocket> Connect(Uri server, string? protocol = "graphql-transport-ws")
    {
        var socket = new ClientWebSocket();
        if (protocol is not null) socket.Options.AddSubProtocol(protocol);
        await socket.ConnectAsync(new UriBuilder(server) { Scheme = "ws", Path = "/graphql" }.Uri, CancellationToken.None);
        return socket;
    }

    public static Task Send(ClientWebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next message's text, or "CLOSE code description" when the server closed the socket.</summary>
    public static async Task<string> Receive(ClientWebSocket socket, int seconds = 10)
    {
        var buffer = new byte[65536];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var result = await socket.ReceiveAsync(buffer, timeout.Token);
        return result.MessageType == WebSocketMessageType.Close
            ? $"CLOSE {(int?)result.CloseStatus} {result.CloseStatusDescription}"
            : Encoding.UTF8.GetString(buffer, 0, result.Count);
    }
}

using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GraphQL;
using GraphQL.Transport;
using GraphQL.Types;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CityCase.Api.GraphQL;

/// <summary>
/// GraphQL over WebSocket with the <c>graphql-transport-ws</c> protocol (the npm package graphql-ws), so
/// stock clients connect unchanged: connection_init (the JWT in its payload) → connection_ack,
/// subscribe → next… → complete, ping/pong, and the protocol's close codes for every refusal.
/// </summary>
public sealed class GraphQLWebSocketSession(WebSocket socket, HttpContext http, IGraphQLTextSerializer serializer)
{
    public const string Protocol = "graphql-transport-ws";
    private static readonly TimeSpan InitTimeout = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, IDisposable> _subscriptions = new();
    private ClaimsPrincipal? _user;

    public static async Task Accept(HttpContext http, IGraphQLTextSerializer serializer)
    {
        var offered = http.WebSockets.WebSocketRequestedProtocols.Contains(Protocol);
        using var socket = await http.WebSockets.AcceptWebSocketAsync(offered ? Protocol : null);
        if (!offered)
        {
            await socket.CloseAsync((WebSocketCloseStatus)4406, "Subprotocol not acceptable", CancellationToken.None);
            return;
        }
        await new GraphQLWebSocketSession(socket, http, serializer).Run();
    }

    private async Task Run()
    {
        using var initTimeout = new CancellationTokenSource(InitTimeout);
        _ = Task.Run(async () =>
        {
            try { await Task.Delay(Timeout.Infinite, initTimeout.Token); }
            catch (OperationCanceledException) { }
            if (_user is null && socket.State == WebSocketState.Open) await Close(4408, "Connection initialisation timeout");
        });

        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var text = await Receive();
                if (text is null) break;
                JsonObject message;
                try
                {
                    message = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not an object");
                }
                catch (JsonException)
                {
                    await Close(4400, "Invalid message received");
                    break;
                }
                switch (message["type"]?.GetValue<string>())
                {
                    case "connection_init":
                        if (_user is not null) { await Close(4429, "Too many initialisation requests"); return; }
                        _user = await Authenticate(message["payload"] as JsonObject);
                        if (_user is null) { await Close(4403, "Forbidden"); return; }
                        await initTimeout.CancelAsync();
                        await Send(new JsonObject { ["type"] = "connection_ack" });
                        break;
                    case "ping":
                        await Send(new JsonObject { ["type"] = "pong" });
                        break;
                    case "pong":
                        break;
                    case "subscribe":
                        if (_user is null) { await Close(4401, "Unauthorized"); return; }
                        if (message["id"]?.GetValue<string>() is not { Length: > 0 } id) { await Close(4400, "Invalid message received"); return; }
                        if (_subscriptions.ContainsKey(id)) { await Close(4409, $"Subscriber for {id} already exists"); return; }
                        await Subscribe(id, message["payload"]?.ToJsonString() ?? "{}");
                        break;
                    case "complete":
                        if (message["id"]?.GetValue<string>() is { } done && _subscriptions.TryRemove(done, out var subscription))
                            subscription.Dispose();
                        break;
                    default:
                        await Close(4400, "Invalid message received");
                        return;
                }
            }
        }
        finally
        {
            foreach (var subscription in _subscriptions.Values) subscription.Dispose();
            _subscriptions.Clear();
        }
    }

    private async Task Subscribe(string id, string payload)
    {
        GraphQLRequest? request;
        try
        {
            request = serializer.Deserialize<GraphQLRequest>(payload);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            await Close(4400, "Invalid message received");
            return;
        }
        var result = await GraphQLHttpEndpoint.Execute(http, request, _user,
            new GraphQLUserContext { CorrelationId = GraphQLHttpEndpoint.CorrelationIdOf(http) });

        if (result.Streams is { Count: > 0 } streams)
        {
            var stream = streams.Values.First();
            _subscriptions[id] = stream.Subscribe(new Observer(
                next => _ = Send(Message("next", id, next)),
                error => _ = Send(Message("error", id, new ExecutionResult { Errors = [new ExecutionError(error.Message)] }, errorsOnly: true)),
                () => { if (_subscriptions.TryRemove(id, out _)) _ = Send(new JsonObject { ["id"] = id, ["type"] = "complete" }); }));
            return;
        }
        if (result.Errors is { Count: > 0 } && result.Data is null)
        {
            await Send(Message("error", id, result, errorsOnly: true));
            return;
        }
        await Send(Message("next", id, result));
        await Send(new JsonObject { ["id"] = id, ["type"] = "complete" });
    }

    private JsonObject Message(string type, string id, ExecutionResult result, bool errorsOnly = false)
    {
        var payload = JsonNode.Parse(serializer.Serialize(result))!;
        return new JsonObject
        {
            ["id"] = id,
            ["type"] = type,
            ["payload"] = errorsOnly ? payload["errors"]?.DeepClone() ?? new JsonArray() : payload,
        };
    }

    /// <summary>Validates the JWT from the payload (<c>token</c> or <c>Authorization: Bearer …</c>) as the HTTP pipeline does.</summary>
    private async Task<ClaimsPrincipal?> Authenticate(JsonObject? payload)
    {
        var token = payload?["token"]?.GetValue<string>()
                    ?? (payload?["Authorization"] ?? payload?["authorization"])?.GetValue<string>()?.Replace("Bearer ", "", StringComparison.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(token)) return null;
        var options = http.RequestServices.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        var validation = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(token, options.TokenValidationParameters);
        return validation.IsValid ? new ClaimsPrincipal(validation.ClaimsIdentity) : null;
    }

    private async Task<string?> Receive()
    {
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        while (true)
        {
            WebSocketReceiveResult received;
            try
            {
                received = await socket.ReceiveAsync(buffer, http.RequestAborted);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                return null;
            }
            if (received.MessageType == WebSocketMessageType.Close)
            {
                // Complete the closing handshake, so that the client sees its own code (1000), not 1006.
                await Close((int)(received.CloseStatus ?? WebSocketCloseStatus.NormalClosure), received.CloseStatusDescription ?? "");
                return null;
            }
            message.Write(buffer, 0, received.Count);
            if (message.Length > 1 << 20) { await Close(4400, "Invalid message received"); return null; }
            if (received.EndOfMessage) return Encoding.UTF8.GetString(message.ToArray());
        }
    }

    private async Task Send(JsonObject message)
    {
        await _sendLock.WaitAsync();
        try
        {
            if (socket.State == WebSocketState.Open)
                await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        catch (WebSocketException) { }
        finally { _sendLock.Release(); }
    }

    private async Task Close(int code, string reason)
    {
        await _sendLock.WaitAsync();
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseAsync((WebSocketCloseStatus)code, reason, CancellationToken.None);
        }
        catch (WebSocketException) { }
        finally { _sendLock.Release(); }
    }

    private sealed class Observer(Action<ExecutionResult> next, Action<Exception> error, Action completed) : IObserver<ExecutionResult>
    {
        public void OnNext(ExecutionResult value) => next(value);
        public void OnError(Exception e) => error(e);
        public void OnCompleted() => completed();
    }
}

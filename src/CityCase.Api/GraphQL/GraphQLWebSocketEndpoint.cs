using CityCase.Engine.Observability;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GraphQL;
using GraphQL.Transport;
using GraphQL.Types;
using CityCase.Api.Auth;

namespace CityCase.Api.GraphQL;

/// <summary>
/// GraphQL over WebSocket with the <c>graphql-transport-ws</c> protocol (the npm package graphql-ws), so
/// stock clients connect unchanged: connection_init (the JWT in its payload) → connection_ack,
/// subscribe → next… → complete, ping/pong, and the protocol's close codes for every refusal.
/// </summary>
/// <remarks>
/// Limits: the init's token goes through the same authentication schemes as HTTP requests, and when it
/// expires the socket is closed with 4403 (the client reconnects with a fresh token); a message that is
/// not the protocol's is 4400; a message over <see cref="MaxMessageBytes"/> is 1009 (message too big);
/// a subscribe beyond <see cref="MaxSubscriptions"/> live ones gets an <c>error</c> with the code
/// <see cref="TooManySubscriptions"/> and the socket stays open.
/// </remarks>
public sealed class GraphQLWebSocketSession(WebSocket socket, HttpContext http, IGraphQLTextSerializer serializer)
{
    public const string Protocol = "graphql-transport-ws";
    public const int MaxMessageBytes = 64 * 1024;
    public const int MaxSubscriptions = 20;
    public const string TooManySubscriptions = "TOO_MANY_SUBSCRIPTIONS";
    private static readonly TimeSpan InitTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, IDisposable> _subscriptions = new();
    private readonly CancellationTokenSource _ended = new();
    private ClaimsPrincipal? _user;
    private DateTimeOffset _expires = DateTimeOffset.MaxValue;

    public static async Task Accept(HttpContext http, IGraphQLTextSerializer serializer)
    {
        var offered = http.WebSockets.WebSocketRequestedProtocols.Contains(Protocol);
        using var socket = await http.WebSockets.AcceptWebSocketAsync(offered ? Protocol : null);
        if (!offered)
        {
            await socket.CloseAsync((WebSocketCloseStatus)4406, "Subprotocol not acceptable", CancellationToken.None);
            return;
        }
        CityCaseMetrics.WebSocketConnections.Add(1);
        try { await new GraphQLWebSocketSession(socket, http, serializer).Run(); }
        finally { CityCaseMetrics.WebSocketConnections.Add(-1); }
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
                string? type, id;
                JsonNode? payload;
                try
                {
                    var message = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not an object");
                    type = Text(message["type"]);
                    id = Text(message["id"]);
                    payload = message["payload"];
                }
                catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
                {
                    // Not JSON, not an object, or a property named twice.
                    await Close(4400, "Invalid message received");
                    break;
                }
                switch (type)
                {
                    case "connection_init":
                        if (_user is not null) { await Close(4429, "Too many initialisation requests"); return; }
                        var user = await Authenticate(payload as JsonObject);
                        if (user is null) { await Close(4403, "Forbidden"); return; }
                        _user = user;
                        await initTimeout.CancelAsync();
                        await Send(new JsonObject { ["type"] = "connection_ack" });
                        _ = CloseWhenExpired();
                        break;
                    case "ping":
                        await Send(new JsonObject { ["type"] = "pong" });
                        break;
                    case "pong":
                        break;
                    case "subscribe":
                        if (_user is null) { await Close(4401, "Unauthorized"); return; }
                        if (DateTimeOffset.UtcNow >= _expires) { await Close(4403, "Token expired"); return; }
                        if (id is not { Length: > 0 }) { await Close(4400, "Invalid message received"); return; }
                        if (_subscriptions.ContainsKey(id)) { await Close(4409, $"Subscriber for {id} already exists"); return; }
                        await Subscribe(id, payload?.ToJsonString() ?? "{}");
                        break;
                    case "complete":
                        if (id is not null && _subscriptions.TryRemove(id, out var subscription))
                            subscription.Dispose();
                        break;
                    default: // an unknown type, or a type that is not a string
                        await Close(4400, "Invalid message received");
                        return;
                }
            }
        }
        finally
        {
            await _ended.CancelAsync();
            foreach (var subscription in _subscriptions.Values) subscription.Dispose();
            _subscriptions.Clear();
        }
    }

    /// <summary>A JSON string's value; null for anything else (a number, an object, absent).</summary>
    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>Closes the socket with 4403 when the token of the init expires (no clock skew here).</summary>
    private async Task CloseWhenExpired()
    {
        try
        {
            for (var left = _expires - DateTimeOffset.UtcNow; left > TimeSpan.Zero; left = _expires - DateTimeOffset.UtcNow)
                await Task.Delay(left < TimeSpan.FromDays(1) ? left : TimeSpan.FromDays(1), _ended.Token);
        }
        catch (OperationCanceledException) { return; }
        if (socket.State == WebSocketState.Open) await Close(4403, "Token expired");
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
            if (_subscriptions.Count >= MaxSubscriptions)
            {
                // The stream is never subscribed to, so it starts nothing. Queries over the socket are not counted.
                await Send(Message("error", id, new ExecutionResult
                {
                    Errors = [new ExecutionError($"At most {MaxSubscriptions} subscriptions per connection; complete one first.") { Code = TooManySubscriptions }],
                }, errorsOnly: true));
                return;
            }
            var stream = streams.Values.First();
            _subscriptions[id] = new CountedSubscription(stream.Subscribe(new Observer(
                next => _ = Send(Message("next", id, next)),
                error => _ = Send(Message("error", id, new ExecutionResult { Errors = [new ExecutionError(error.Message)] }, errorsOnly: true)),
                () =>
                {
                    if (!_subscriptions.TryRemove(id, out var ended)) return;
                    ended.Dispose();
                    _ = Send(new JsonObject { ["id"] = id, ["type"] = "complete" });
                })));
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

    /// <summary>
    /// Validates the JWT from the payload (<c>token</c> or <c>Authorization: Bearer …</c>) through the same
    /// authentication schemes as HTTP requests (CityCase's key or the identity provider), and notes its expiry.
    /// </summary>
    private async Task<ClaimsPrincipal?> Authenticate(JsonObject? payload)
    {
        var token = Text(payload?["token"])
                    ?? JwtAuthentication.BearerToken(Text(payload?["Authorization"]) ?? Text(payload?["authorization"]));
        if (string.IsNullOrWhiteSpace(token)) return null;
        var result = await JwtAuthentication.AuthenticateTokenAsync(http.RequestServices, token.Trim(), http.RequestAborted);
        if (!result.Succeeded || result.Principal is not { } user) return null;
        _expires = result.Properties?.ExpiresUtc
                   ?? (long.TryParse(user.FindFirst("exp")?.Value, out var exp) ? DateTimeOffset.FromUnixTimeSeconds(exp) : DateTimeOffset.MaxValue);
        return user;
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
            if (message.Length + received.Count > MaxMessageBytes)
            {
                await Close((int)WebSocketCloseStatus.MessageTooBig, $"Message over {MaxMessageBytes / 1024} KiB");
                return null;
            }
            message.Write(buffer, 0, received.Count);
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
            // Bounded: a peer that never answers the close is aborted.
            using var timeout = new CancellationTokenSource(CloseTimeout);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseAsync((WebSocketCloseStatus)code, reason, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        finally { _sendLock.Release(); }
    }

    /// <summary>A subscription counted in the node's gauge from its start to its end, whichever way it ends (once).</summary>
    private sealed class CountedSubscription : IDisposable
    {
        private readonly IDisposable _inner;
        private int _ended;

        public CountedSubscription(IDisposable inner)
        {
            _inner = inner;
            CityCaseMetrics.Subscriptions.Add(1);
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 1) return;
            CityCaseMetrics.Subscriptions.Add(-1);
            _inner.Dispose();
        }
    }

    private sealed class Observer(Action<ExecutionResult> next, Action<Exception> error, Action completed) : IObserver<ExecutionResult>
    {
        public void OnNext(ExecutionResult value) => next(value);
        public void OnError(Exception e) => error(e);
        public void OnCompleted() => completed();
    }
}

using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using CityCase.Domain;
using CityCase.Domain.Cases;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using Wolverine;

namespace CityCase.Engine.Intake;

/// <summary>The MQTT channel's settings (<c>Mqtt__*</c>); without a host there is no MQTT ingest.</summary>
public sealed class MqttSettings
{
    public string? Host { get; set; }
    public int Port { get; set; } = 1883;
    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>
    /// Each node's own client id, the same across its restarts so that it takes back its session and the messages it had
    /// not acknowledged (a broker drops the older of two connections with one id: give nodes on one host their own).
    /// </summary>
    public string ClientId { get; set; } = $"citycase-{Environment.MachineName}";

    /// <summary>Devices publish to <c>{TopicRoot}/{deviceId}/signals</c> and are answered on <c>{TopicRoot}/{deviceId}/answers</c>.</summary>
    public string TopicRoot { get; set; } = "citycase/devices";

    /// <summary>The shared subscription's group: the broker gives each message to one node of the group.</summary>
    public string ShareGroup { get; set; } = "citycase";

    /// <summary>Signals handled at once by a node; one device's signals are handled one after another, in order.</summary>
    public int Workers { get; set; } = 16;

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>
/// A device's signal as it arrives over MQTT: the same fields as raiseSensorAlarm and clearSensorAlarm, with
/// <c>signal</c> saying which.
/// </summary>
public static class SensorMessages
{
    /// <summary>The command and idempotency key in a message's JSON, or a refusal that names what is wrong.</summary>
    public static (CaseCommand Signal, string? IdempotencyKey) Parse(ReadOnlySpan<byte> json)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 }).RootElement;
        }
        catch (JsonException e)
        {
            throw new ValidationFailedException($"the message is not JSON: {e.Message}");
        }
        if (root.ValueKind != JsonValueKind.Object) throw new ValidationFailedException("the message must be a JSON object");
        string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw new ValidationFailedException($"{name} must be a string")
            : null;
        string Required(string name) => Text(name) ?? throw new ValidationFailedException($"{name} is missing");
        var key = Text("idempotencyKey");
        return Text("signal") switch
        {
            "alarm" => (new RaiseSensorAlarm(Required("sensorId"), Required("alarmType"), LocationOf(root), Required("severity")), key),
            "clear" => (new ClearSensorAlarm(Required("sensorId"), Required("alarmType")), key),
            null => throw new ValidationFailedException("signal is missing: 'alarm' or 'clear'"),
            var other => throw new ValidationFailedException($"signal '{other}' is neither 'alarm' nor 'clear'"),
        };
    }

    private static Location LocationOf(JsonElement root)
    {
        if (!root.TryGetProperty("location", out var location) || location.ValueKind != JsonValueKind.Object)
            throw new ValidationFailedException("location is missing: { longitude, latitude }");
        double Degrees(string name) => location.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble()
            : throw new ValidationFailedException($"location.{name} must be a number");
        var address = location.TryGetProperty("address", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
        return new Location(Degrees("longitude"), Degrees("latitude"), address);
    }
}

/// <summary>
/// Sensors' second channel: alarms and clears published over MQTT go through the very intake handler that
/// raiseSensorAlarm and clearSensorAlarm use (the same validation, open-case fold and idempotency keys). The device
/// is the topic's device id, which the broker's ACL ties to the device's own login. Every node subscribes with one
/// shared subscription, so each message is handled by one node; a message is acknowledged only once it is handled
/// or refused, so one a node dies on is sent again (at least once: a device that sends an idempotencyKey is folded
/// exactly once). The answer, or the refusal with its code, goes to the message's MQTT 5 response topic, else to
/// <c>{TopicRoot}/{deviceId}/answers</c>.
/// </summary>
public sealed class MqttSensorIngest(MqttSettings settings, IServiceScopeFactory scopes, ILogger<MqttSensorIngest> logger) : BackgroundService
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    /// <summary>Completes once this node has subscribed (tests wait for it).</summary>
    public Task Subscribed => _subscribed.Task;

    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // One queue per worker; a device's messages always go to the same one, so they are handled in order.
        var queues = Enumerable.Range(0, Math.Max(1, settings.Workers))
            .Select(_ => Channel.CreateBounded<MqttApplicationMessageReceivedEventArgs>(256)).ToArray();
        var workers = queues.Select(q => Task.Run(() => WorkAsync(q.Reader, stoppingToken), stoppingToken)).ToList();
        _client.ApplicationMessageReceivedAsync += async e =>
        {
            e.AutoAcknowledge = false;
            var queue = queues[(int)((uint)StringComparer.Ordinal.GetHashCode(e.ApplicationMessage.Topic) % (uint)queues.Length)];
            await queue.Writer.WriteAsync(e, stoppingToken);
        };

        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(settings.Host, settings.Port)
            .WithClientId(settings.ClientId)
            .WithCredentials(settings.Username, settings.Password)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithCleanStart(false).WithSessionExpiryInterval(3600) // unacknowledged messages wait for this node's return
            .Build();
        var filter = $"$share/{settings.ShareGroup}/{settings.TopicRoot}/+/signals";
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    await _client.ConnectAsync(options, stoppingToken);
                    await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                        .WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
                        .Build(), stoppingToken);
                    logger.LogInformation("MQTT ingest subscribed to {Filter} at {Host}:{Port}", filter, settings.Host, settings.Port);
                    _subscribed.TrySetResult();
                }
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e)
            {
                logger.LogWarning("MQTT ingest cannot reach the broker at {Host}:{Port} ({Reason}); trying again", settings.Host, settings.Port, e.Message);
                try { await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken); } catch (OperationCanceledException) { }
            }
        }
        foreach (var queue in queues) queue.Writer.TryComplete();
        await Task.WhenAll(workers).ContinueWith(_ => { }, CancellationToken.None);
    }

    private async Task WorkAsync(ChannelReader<MqttApplicationMessageReceivedEventArgs> queue, CancellationToken ct)
    {
        await foreach (var message in queue.ReadAllAsync(ct))
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await HandleAsync(message, ct);
                    await message.AcknowledgeAsync(ct);
                    break;
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
                catch (Exception e)
                {
                    // The database or the broker is away: keep the message (unacknowledged) and try again.
                    logger.LogWarning("MQTT signal on {Topic} not handled yet ({Reason}); trying again", message.ApplicationMessage.Topic, e.Message);
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
            }
        }
    }

    private async Task HandleAsync(MqttApplicationMessageReceivedEventArgs message, CancellationToken ct)
    {
        var incoming = message.ApplicationMessage;
        var device = DeviceOf(incoming.Topic);
        object answer;
        try
        {
            var (signal, key) = SensorMessages.Parse(System.Buffers.BuffersExtensions.ToArray(incoming.Payload));
            var actor = new Actor(device, device, Roles.Device);
            using var scope = scopes.CreateScope();
            var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
            var filed = await bus.InvokeAsync<IntakeAnswer>(new SensorSignalEnvelope((ISensorSignal)signal, actor, key), ct);
            answer = new { caseId = filed.CaseId, caseNumber = filed.CaseNumber, deduplicated = filed.Deduplicated, replayed = filed.Replayed };
        }
        catch (DomainException refused)
        {
            answer = new { error = new { code = refused.Code, message = refused.Message } };
        }
        var reply = new MqttApplicationMessageBuilder()
            .WithTopic(incoming.ResponseTopic ?? $"{settings.TopicRoot}/{device}/answers")
            .WithPayload(JsonSerializer.SerializeToUtf8Bytes(answer))
            .WithContentType("application/json")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (incoming.CorrelationData is { } correlation) reply.WithCorrelationData(correlation);
        await _client.PublishAsync(reply.Build(), ct);
    }

    /// <summary><c>{TopicRoot}/{deviceId}/signals</c> → deviceId (the subscription admits no other shape).</summary>
    private string DeviceOf(string topic) => topic[(settings.TopicRoot.Length + 1)..^"/signals".Length];

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_client.IsConnected)
            try { await _client.DisconnectAsync(new MqttClientDisconnectOptions(), cancellationToken); } catch (Exception) { }
        _client.Dispose();
    }
}

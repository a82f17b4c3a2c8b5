using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using CityCase.Domain;
using CityCase.Domain.Cases;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using NodaTime;

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

    /// <summary>At most this many signals stored in one statement (a batch forms from what arrived meanwhile; none waits for it to fill).</summary>
    public int ReceiptBatchSize { get; set; } = 500;

    /// <summary>At most this many stored signals folded in one transaction.</summary>
    public int FoldBatchSize { get; set; } = 500;

    /// <summary>Fold workers on each node, each folding its own lanes of sensors (see <see cref="SensorInbox.Lanes"/>).</summary>
    public int FoldWorkers { get; set; } = 2;

    /// <summary>How often an idle folder looks for signals other nodes stored (its own node wakes it at once).</summary>
    public int FoldPollMilliseconds { get; set; } = 250;

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
/// Sensors' second channel, built for storms. Every node subscribes with one shared subscription, so the broker gives
/// each message to one node. A message is checked at once (the same checks as raiseSensorAlarm and clearSensorAlarm):
/// bad input is refused there and then, naming what is wrong, and nothing is stored. A good one is stored in the sensor
/// inbox, many messages in one statement, and only then acknowledged to the broker and answered "received": from that
/// moment it is durable and will be folded. The <see cref="SensorFolder"/> then folds the inbox into cases in batches and
/// answers each signal a second time with what it came to (filed, folded, cleared, replayed or refused). A node that dies
/// before acknowledging leaves the message with the broker, which sends it again (at least once: a device that sends an
/// idempotencyKey is counted exactly once). The device is the topic's device id, which the broker's ACL ties to the
/// device's own login. Answers go to the message's MQTT 5 response topic, else to <c>{TopicRoot}/{deviceId}/answers</c>.
/// </summary>
public sealed class MqttSensorIngest(MqttSettings settings, SensorInbox inbox, ICaseRules rules, IClock clock, ILogger<MqttSensorIngest> logger)
    : BackgroundService
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    /// <summary>Completes once this node has subscribed (tests wait for it).</summary>
    public Task Subscribed => _subscribed.Task;

    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A message as it arrived, checked: a refusal to send back, or the payload to store.</summary>
    private sealed record Arrival(MqttApplicationMessageReceivedEventArgs Message, string Device, DomainException? Refusal, short Lane = 0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Bounded: while the database is away, the broker keeps what this node has not taken (unacknowledged).
        var arrivals = Channel.CreateBounded<Arrival>(new BoundedChannelOptions(20_000) { SingleReader = true });
        var storing = Task.Run(() => StoreAsync(arrivals.Reader, stoppingToken), stoppingToken);
        _client.ApplicationMessageReceivedAsync += async e =>
        {
            e.AutoAcknowledge = false;
            await arrivals.Writer.WriteAsync(Check(e), stoppingToken);
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
        arrivals.Writer.TryComplete();
        await storing.ContinueWith(_ => { }, CancellationToken.None);
    }

    /// <summary>The checks raiseSensorAlarm and clearSensorAlarm make before anything is stored.</summary>
    private Arrival Check(MqttApplicationMessageReceivedEventArgs e)
    {
        var device = DeviceOf(e.ApplicationMessage.Topic);
        try
        {
            var (signal, key) = SensorMessages.Parse(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
            CaseIntake.Validate(signal, rules);
            if (key is { Length: > IntakeKey.MaxKeyLength })
                throw new ValidationFailedException($"idempotencyKey must be at most {IntakeKey.MaxKeyLength} characters");
            return new Arrival(e, device, null, SensorInbox.LaneOf(CaseIntake.SensorKey((ISensorSignal)signal)));
        }
        catch (DomainException refused)
        {
            return new Arrival(e, device, refused);
        }
    }

    /// <summary>
    /// Stores what arrived meanwhile in one statement, then acknowledges each message (in the order they came) and tells its
    /// device "received" or why it was refused.
    /// </summary>
    private async Task StoreAsync(ChannelReader<Arrival> arrivals, CancellationToken ct)
    {
        var answering = Task.CompletedTask; // the batch before's answers: they go out while the next batch is stored
        while (await arrivals.WaitToReadAsync(ct))
        {
            var batch = new List<Arrival>(settings.ReceiptBatchSize);
            while (batch.Count < settings.ReceiptBatchSize && arrivals.TryRead(out var arrival)) batch.Add(arrival);
            var toStore = batch.Where(a => a.Refusal is null).ToList();
            long[] receipts = [];
            while (toStore.Count > 0)
            {
                try
                {
                    receipts = await inbox.StoreAsync([.. toStore.Select(a => (a.Device, System.Buffers.BuffersExtensions.ToArray(a.Message.ApplicationMessage.Payload),
                        a.Message.ApplicationMessage.ResponseTopic, a.Message.ApplicationMessage.CorrelationData, a.Lane))],
                        clock.GetCurrentInstant().ToDateTimeOffset(), ct);
                    break;
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
                catch (Exception e)
                {
                    // The database is away: nothing is acknowledged, so the broker still holds every message of the batch.
                    logger.LogWarning("MQTT signals not stored yet ({Reason}); trying again", e.Message);
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
            }
            var answers = new List<Task>(batch.Count);
            var next = 0;
            foreach (var arrival in batch)
            {
                try
                {
                    await arrival.Message.AcknowledgeAsync(ct);
                    var answer = arrival.Refusal is { } refused ? SensorAnswers.Refused(null, refused) : SensorAnswers.Received(receipts[next++]);
                    answers.Add(PublishAsync(arrival.Device, arrival.Message.ApplicationMessage.ResponseTopic,
                        arrival.Message.ApplicationMessage.CorrelationData, answer, ct));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Stored already: if the acknowledgement is lost the broker sends it again, and its key (if any) replays it.
                    logger.LogWarning("MQTT signal on {Topic} stored but not acknowledged ({Reason})", arrival.Message.ApplicationMessage.Topic, e.Message);
                }
            }
            await answering;
            answering = Task.WhenAll(answers);
            if (receipts.Length > 0) inbox.Ring();
        }
        await answering;
    }

    /// <summary>Tells each folded signal's device what it came to (the folder calls this once its transaction committed).</summary>
    public Task AnswerAsync(IReadOnlyList<SensorOutcome> outcomes, CancellationToken ct) =>
        Task.WhenAll(outcomes.Select(o => PublishAsync(o.Receipt.Device, o.Receipt.ResponseTopic, o.Receipt.CorrelationData, o.Answer, ct)));

    private async Task PublishAsync(string device, string? responseTopic, byte[]? correlation, object answer, CancellationToken ct)
    {
        var reply = new MqttApplicationMessageBuilder()
            .WithTopic(responseTopic ?? $"{settings.TopicRoot}/{device}/answers")
            .WithPayload(JsonSerializer.SerializeToUtf8Bytes(answer))
            .WithContentType("application/json")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (correlation is not null) reply.WithCorrelationData(correlation);
        try
        {
            await _client.PublishAsync(reply.Build(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An answer is a courtesy to the device: what it reports is stored (or refused) whether or not the answer arrives.
            logger.LogWarning("MQTT answer to device {Device} not sent ({Reason})", device, e.Message);
        }
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

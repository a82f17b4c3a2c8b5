using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Protocol;

namespace CityCase.IntegrationTests.Infrastructure;

/// <summary>
/// A field device (or a gateway for many sensors): publishes signals under its own topic and reads CityCase's answers,
/// matched by correlation data. A signal is answered twice: "received" once stored, then what it came to; a refusal on
/// arrival is the only answer.
/// </summary>
public sealed class MqttDevice : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonNode>> _received = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonNode>> _final = new();
    private readonly string _id;

    private MqttDevice(string id) => _id = id;

    public string Id => _id;

    /// <summary>Every answer in the order it came (correlation, answer).</summary>
    public ConcurrentQueue<(string Correlation, JsonNode Answer)> Answers { get; } = new();

    public static async Task<MqttDevice> Connect(Mosquitto broker, string id)
    {
        var device = new MqttDevice(id);
        device._client.ApplicationMessageReceivedAsync += e =>
        {
            var correlation = Encoding.UTF8.GetString(e.ApplicationMessage.CorrelationData ?? []);
            var answer = JsonNode.Parse(Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload)))!;
            device.Answers.Enqueue((correlation, answer));
            var waiting = answer["status"]?.GetValue<string>() == "received" ? device._received : device._final;
            waiting.GetOrAdd(correlation, NewWait).TrySetResult(answer);
            return Task.CompletedTask;
        };
        await device._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId(id)
            .WithCredentials(id, Mosquitto.Password).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
        await device._client.SubscribeAsync($"citycase/devices/{id}/answers", MqttQualityOfServiceLevel.AtLeastOnce);
        return device;
    }

    private static TaskCompletionSource<JsonNode> NewWait(string _) => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Publishes to <paramref name="topic"/> (default: its own) and returns the broker's acknowledgement.</summary>
    public Task<MqttClientPublishResult> Publish(string payload, string correlation, string? topic = null) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic ?? $"citycase/devices/{_id}/signals").WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithResponseTopic($"citycase/devices/{_id}/answers").WithCorrelationData(Encoding.UTF8.GetBytes(correlation))
            .Build());

    /// <summary>"received", once the signal published with <paramref name="correlation"/> is stored.</summary>
    public Task<JsonNode> ReceivedAnswer(string correlation) => _received.GetOrAdd(correlation, NewWait).Task;

    /// <summary>What the signal came to (filed, folded, cleared, replayed), or its refusal.</summary>
    public Task<JsonNode> FinalAnswer(string correlation) => _final.GetOrAdd(correlation, NewWait).Task;

    /// <summary>Publishes a signal and waits for what it came to.</summary>
    public async Task<JsonNode> Send(object signal)
    {
        var correlation = Guid.NewGuid().ToString();
        var answer = FinalAnswer(correlation);
        var published = await Publish(signal as string ?? JsonSerializer.Serialize(signal), correlation);
        Assert.Equal(MqttClientPublishReasonCode.Success, published.ReasonCode);
        return await answer.WaitAsync(TimeSpan.FromSeconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected) await _client.DisconnectAsync();
        _client.Dispose();
    }
}

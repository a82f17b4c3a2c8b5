using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CityCase.IntegrationTests.Infrastructure;
using MQTTnet;
using MQTTnet.Protocol;
using Npgsql;

namespace CityCase.Benchmarks;

/// <summary>What one sensor storm came to.</summary>
public sealed record StormResult(
    int Sensors, int Seeded, TimeSpan SeedTime, double OfferedPerSecond, TimeSpan StormTime,
    int Offered, int Accepted, int RefusedOnArrival, double[] AcceptMs,
    long CasesCreated, long CasesExpected, long RepeatsFolded, long RepeatsExpected, int Redeliveries, long Replayed,
    long FoldEvents, TimeSpan? InboxDrained, TimeSpan? LagUnder500, double MaxInboxDepth, double MaxScorecardLagMs,
    double PeakResidentMiB, string? Failure);

/// <summary>
/// Issue 14's sensor storm, over MQTT through a real Mosquitto to the server as its own process: 5,000 sensors behind 50
/// gateways each have an open case (seeded through the same path first); then alarms are offered at a steady 1,000 a
/// second for 60 s, 90 % repeats of an open case's alarm and 10 % new ones (a sensor's alarm of a new type), each with an
/// idempotency key of its own, and 1 % of them sent a second time under the same key (a device that missed the broker's
/// acknowledgement). Measured: how many were answered "received" and how fast (from the publish to the answer), whether
/// the events hold exactly one new case per new alarm and every repeat counted once, how long after the storm the inbox
/// is folded and the scorecards' lag is back under 500 ms, and the server's peak resident memory.
/// </summary>
public static class Storm
{
    private const int GatewayCount = 50;

    public static async Task<StormResult> MeasureAsync(string apiAssembly, string connectionString, int port,
        int sensors = 5_000, double perSecond = 1_000, int seconds = 60, double newShare = 0.10, double redeliveryShare = 0.01,
        string[]? serverExtra = null)
    {
        var gatewayNames = Enumerable.Range(0, GatewayCount).Select(g => $"gw-{g:00}").ToArray();
        await using var broker = await Mosquitto.StartAsync(gatewayNames);
        await using var server = new ServerProcess(apiAssembly, connectionString, port, [.. broker.ServerArguments, "--Mqtt:ClientId", "storm-node-1", .. serverExtra ?? []]);
        await server.WaitUntilReady(TimeSpan.FromSeconds(90));
        var gateways = await Task.WhenAll(gatewayNames.Select(name => Gateway.ConnectAsync(broker, name)));
        var clock = Stopwatch.StartNew();
        string? failure = null;

        // The node subscribes once it is up: until then the broker would drop what nobody subscribed to. A clear of a sensor
        // with no case is answered (refused once folded) and changes nothing.
        for (var probe = 0; ; probe++)
        {
            var answered = gateways[0].FinalAsync($"probe-{probe}");
            _ = gateways[0].PublishAsync(JsonSerializer.Serialize(new { signal = "clear", sensorId = "PROBE", alarmType = "probe" }), $"probe-{probe}", clock);
            if (await Task.WhenAny(answered, Task.Delay(1000)) == answered) break;
            if (probe > 60) throw new TimeoutException("the server did not answer over MQTT within a minute:\n" + Tail(server.Output));
        }

        // Seed: every sensor's smoke alarm opens its case, through the same path (and warms it up).
        Console.WriteLine($"   seeding: {sensors:N0} sensors' alarms, each opening a case...");
        var seedStarted = clock.Elapsed;
        var seedFinals = new List<Task<string>>(sensors);
        for (var s = 0; s < sensors; s++)
        {
            var (gateway, message) = (gateways[s % GatewayCount], Alarm(s, "smoke", $"seed-{s}"));
            seedFinals.Add(gateway.FinalAsync($"seed-{s}"));
            _ = gateway.PublishAsync(message, $"seed-{s}", clock);
            if (s % 500 == 499) await Task.Delay(TimeSpan.FromSeconds(500 / perSecond)); // at the storm's rate
        }
        var seeded = (await Task.WhenAll(seedFinals).WaitAsync(TimeSpan.FromMinutes(3))).Count(status => status == "filed");
        var seedTime = clock.Elapsed - seedStarted;
        Console.WriteLine($"   {seeded:N0} cases seeded in {seedTime.TotalSeconds:F1} s; waiting for the scorecards to catch up...");
        await WaitUntil(async () => await ScorecardLagMs(connectionString) == 0, TimeSpan.FromMinutes(2));
        foreach (var g in gateways) g.Reset();

        // The storm, paced: every 10 ms, the alarms due by then.
        var monitor = Monitor(connectionString, server);
        var random = new Random(14);
        var offered = 0;
        var redeliveries = 0;
        var newAlarms = 0;
        var total = (int)(perSecond * seconds);
        Console.WriteLine($"   the storm: {perSecond:N0} alarms/s for {seconds} s ({newShare:P0} new)...");
        var stormStarted = clock.Elapsed;
        while (offered < total)
        {
            var due = Math.Min(total, (int)((clock.Elapsed - stormStarted).TotalSeconds * perSecond));
            for (; offered < due; offered++)
            {
                var sensor = random.Next(sensors);
                var isNew = random.NextDouble() < newShare;
                var key = $"storm-{offered}";
                var message = isNew ? Alarm(sensor, $"storm-type-{newAlarms++}", key) : Alarm(sensor, "smoke", key);
                var gateway = gateways[sensor % GatewayCount];
                _ = gateway.PublishAsync(message, key, clock);
                if (random.NextDouble() < redeliveryShare)
                {
                    redeliveries++;
                    _ = gateway.PublishAsync(message, key + "-again", clock);
                }
            }
            await Task.Delay(10);
        }
        var stormTime = clock.Elapsed - stormStarted;
        var stormEnded = clock.Elapsed;
        Console.WriteLine($"   offered {offered:N0} (+{redeliveries:N0} redeliveries) in {stormTime.TotalSeconds:F1} s; waiting for the fold and the scorecards...");

        // After the storm: until the inbox is folded, and until the scorecards' lag is back under 500 ms.
        TimeSpan? drained = null, lagUnder = null;
        while (clock.Elapsed - stormEnded < TimeSpan.FromMinutes(3) && lagUnder is null)
        {
            var waiting = await Scalar(connectionString, "select count(*) from citycase.cc_sensor_inbox");
            var answered = gateways.Sum(g => g.ReceivedCount);
            if (drained is null && waiting == 0 && answered >= offered + redeliveries) drained = clock.Elapsed - stormEnded;
            if (drained is not null && await ScorecardLagMs(connectionString) < 500) lagUnder = clock.Elapsed - stormEnded;
            await Task.Delay(50);
        }
        var peak = server.PeakResidentMiB;
        var log = Path.Combine(Path.GetTempPath(), "citycase-storm-server.log"); // for profiling with --server-arg (the README says how)
        await File.WriteAllTextAsync(log, server.Output);
        var (maxDepth, maxLag) = await monitor.StopAsync();
        await Task.Delay(2000); // the last answers
        if (lagUnder is null) failure = "the storm was not folded with the scorecards caught up within 3 minutes:\n" + Tail(server.Output);

        var accepted = gateways.Sum(g => g.ReceivedCount);
        var refused = gateways.Sum(g => g.RefusedOnArrival);
        var latencies = gateways.SelectMany(g => g.AcceptMs).ToArray();
        var newCases = await Scalar(connectionString, "select count(*) from citycase.mt_events where type = 'case_reported' and data->'sensor' is not null") - seeded;
        var repeats = await Scalar(connectionString,
            "select coalesce(sum(coalesce((data->>'count')::int, 1)), 0) from citycase.mt_events where type = 'sensor_alarm_repeated'");
        var foldEvents = await Scalar(connectionString, "select count(*) from citycase.mt_events where type = 'sensor_alarm_repeated'");
        var replayed = gateways.Sum(g => g.Statuses.GetValueOrDefault("replayed"));
        foreach (var g in gateways) await g.DisposeAsync();
        return new StormResult(sensors, seeded, seedTime, perSecond, stormTime, offered + redeliveries, accepted, refused, latencies,
            newCases, newAlarms, repeats, offered - newAlarms, redeliveries, replayed, foldEvents, drained, lagUnder, maxDepth, maxLag, peak, failure);
    }

    private static string Alarm(int sensor, string alarmType, string key) => JsonSerializer.Serialize(new
    {
        signal = "alarm", sensorId = $"SMK-{sensor:00000}", alarmType, severity = "HIGH",
        // Spread over the sample district's grids (121.4700-121.4826 E, 31.2299-31.2380 N).
        location = new { longitude = 121.4705 + sensor % 100 * 0.00011, latitude = 31.2302 + sensor / 100 % 50 * 0.00014 },
        idempotencyKey = key,
    });

    /// <summary>The scorecards' lag: the age of the oldest event they have not read yet (0 when they are at the head).</summary>
    private static async Task<double> ScorecardLagMs(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select coalesce(extract(epoch from (clock_timestamp() - min(e.timestamp))) * 1000, 0)
            from citycase.mt_events e
            where e.seq_id > (select coalesce(max(last_seq_id), 0) from citycase.mt_event_progression where name like 'Scorecards%')
            """, connection);
        return Convert.ToDouble(await command.ExecuteScalarAsync());
    }

    /// <summary>Samples the inbox's depth and the scorecards' lag every 250 ms while the storm runs.</summary>
    private sealed class Sampler(Task<(double, double)> run, CancellationTokenSource stop)
    {
        public async Task<(double MaxDepth, double MaxLagMs)> StopAsync()
        {
            await stop.CancelAsync();
            return await run;
        }
    }

    private static Sampler Monitor(string connectionString, ServerProcess server)
    {
        var stop = new CancellationTokenSource();
        var run = Task.Run(async () =>
        {
            double maxDepth = 0, maxLag = 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    maxDepth = Math.Max(maxDepth, await Scalar(connectionString, "select count(*) from citycase.cc_sensor_inbox"));
                    maxLag = Math.Max(maxLag, await ScorecardLagMs(connectionString));
                    _ = server.PeakResidentMiB;
                    await Task.Delay(250, stop.Token);
                }
                catch (OperationCanceledException) { }
            }
            return (maxDepth, maxLag);
        });
        return new Sampler(run, stop);
    }

    private static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException("the storm's set-up did not settle within " + timeout);
            await Task.Delay(100);
        }
    }

    private static async Task<long> Scalar(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return Convert.ToInt64(await new NpgsqlCommand(sql, connection).ExecuteScalarAsync());
    }

    private static string Tail(string output) => string.Join('\n', output.Split('\n').TakeLast(30));

    /// <summary>A gateway for 100 sensors: publishes their alarms (QoS 1) and reads the two answers to each.</summary>
    private sealed class Gateway : IAsyncDisposable
    {
        private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
        private readonly ConcurrentDictionary<string, long> _published = new();
        private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _finals = new();
        private string _answers = "";

        public ConcurrentBag<double> AcceptMs { get; private set; } = [];
        public ConcurrentDictionary<string, int> Statuses { get; private set; } = new();
        private int _received, _refused;
        public int ReceivedCount => _received;
        public int RefusedOnArrival => _refused;

        public static async Task<Gateway> ConnectAsync(Mosquitto broker, string name)
        {
            var gateway = new Gateway { _answers = $"citycase/devices/{name}/answers" };
            gateway._client.ApplicationMessageReceivedAsync += e =>
            {
                gateway.Answer(Encoding.UTF8.GetString(e.ApplicationMessage.CorrelationData ?? []),
                    JsonDocument.Parse(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload)).RootElement);
                return Task.CompletedTask;
            };
            await gateway._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId(name)
                .WithCredentials(name, Mosquitto.Password).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
                .WithTimeout(TimeSpan.FromSeconds(30)).Build());
            await gateway._client.SubscribeAsync(gateway._answers, MqttQualityOfServiceLevel.AtLeastOnce);
            gateway._topic = $"citycase/devices/{name}/signals";
            return gateway;
        }

        private string _topic = "";

        private void Answer(string correlation, JsonElement answer)
        {
            var status = answer.GetProperty("status").GetString()!;
            if (status == "received")
            {
                Interlocked.Increment(ref _received);
                if (_published.TryRemove(correlation, out var at)) AcceptMs.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
                return;
            }
            if (status == "refused" && answer.GetProperty("receipt").ValueKind == JsonValueKind.Null) Interlocked.Increment(ref _refused);
            Statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (_finals.TryRemove(correlation, out var final)) final.TrySetResult(status);
        }

        public Task<string> FinalAsync(string correlation) =>
            _finals.GetOrAdd(correlation, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        /// <summary>Forgets the seed's counts before the storm.</summary>
        public void Reset()
        {
            AcceptMs = [];
            Statuses = new();
            _received = 0;
            _refused = 0;
        }

        public async Task PublishAsync(string payload, string correlation, Stopwatch clock)
        {
            _published[correlation] = Stopwatch.GetTimestamp();
            try
            {
                await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(_topic).WithPayload(payload)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .WithResponseTopic(_answers).WithCorrelationData(Encoding.UTF8.GetBytes(correlation)).Build());
            }
            catch (Exception e)
            {
                Console.WriteLine($"   publish failed: {e.Message}");
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_client.IsConnected) await _client.DisconnectAsync();
            _client.Dispose();
        }
    }
}

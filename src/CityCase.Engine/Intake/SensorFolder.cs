using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Engine.Cases;
using CityCase.Engine.Privacy;
using CityCase.Engine.Sla;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using Npgsql;

namespace CityCase.Engine.Intake;

/// <summary>What a folded signal came to, for its device: the answer is sent once the fold has committed.</summary>
public sealed record SensorOutcome(SensorReceipt Receipt, object Answer);

/// <summary>
/// Folds the sensor inbox into cases, on every node: takes a batch of the oldest signals (several sensors), locks their
/// sensors (the advisory locks raiseSensorAlarm takes too), finds their open cases, and lets the decider decide each
/// sensor's signals in the order they arrived: an alarm with no open case files one; the repeats that follow, up to a
/// clear, become one <see cref="SensorAlarmRepeated"/> counting them (per device); a clear is recorded; an idempotency
/// key already used replays its case and counts nothing. One transaction appends every case's events, records the keys and
/// deletes the batch from the inbox, so a signal is folded once or not at all; a conflict rolls it all back and the
/// batch is taken again.
/// </summary>
public sealed class SensorFolder(IDocumentStore store, SensorInbox inbox, CaseNumbers numbers, ICaseRules rules, CityCalendar calendar,
    IClock clock, PrivacyKeys keys, MqttSettings settings, MqttSensorIngest ingest, ILogger<SensorFolder> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, settings.FoldWorkers).Select(worker => Task.Run(() => WorkAsync(worker, stoppingToken), stoppingToken)));

    private async Task WorkAsync(int worker, CancellationToken stoppingToken)
    {
        var failures = 0;
        var answering = Task.CompletedTask; // the batch before's answers go out while the next batch is folded
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (taken, outcomes) = await FoldOnceAsync(worker, stoppingToken);
                failures = 0;
                await answering;
                answering = outcomes.Count > 0 ? ingest.AnswerAsync(outcomes, stoppingToken) : Task.CompletedTask;
                if (taken == 0) await inbox.WaitForSignalsAsync(TimeSpan.FromMilliseconds(settings.FoldPollMilliseconds), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
            catch (Exception e)
            {
                // A conflict with another writer of the same case, or the database away: the batch is back in the inbox.
                failures++;
                logger.Log(failures > 3 ? LogLevel.Warning : LogLevel.Debug, "Sensor fold rolled back ({Reason}); taking the batch again", e.Message);
                try { await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 20 * failures * failures)), stoppingToken); }
                catch (OperationCanceledException) { }
            }
        }
    }

    /// <summary>One batch: how many signals it took, and what to tell their devices.</summary>
    public async Task<(int Taken, IReadOnlyList<SensorOutcome> Outcomes)> FoldOnceAsync(int worker, CancellationToken ct)
    {
        var timer = System.Diagnostics.Stopwatch.StartNew();
        var phases = new List<(string, double)>();
        void Phase(string name) { phases.Add((name, timer.Elapsed.TotalMilliseconds)); timer.Restart(); }
        await using var session = store.LightweightSession();
        await session.BeginTransactionAsync(ct);
        var connection = (NpgsqlConnection)session.Connection!;
        var taken = await inbox.TakeAsync(connection, settings.FoldBatchSize, worker, settings.FoldWorkers, ct);
        if (taken.Count == 0) return (0, []);
        Phase("take");
        session.CorrelationId = $"sensor-inbox:{taken[0].Seq}-{taken[^1].Seq}"; // which batch appended an event
        var now = clock.GetCurrentInstant();
        var outcomes = new List<SensorOutcome>(taken.Count);

        var signals = new List<Signal>(taken.Count);
        foreach (var receipt in taken)
        {
            try
            {
                var (command, key) = SensorMessages.Parse(receipt.Payload);
                signals.Add(new Signal(receipt, (ISensorSignal)command, string.IsNullOrWhiteSpace(key) ? null : key,
                    new Actor(receipt.Device, receipt.Device, Roles.Device)));
            }
            catch (DomainException refused) // checked on receipt; only a stored row edited by hand gets here
            {
                outcomes.Add(new SensorOutcome(receipt, SensorAnswers.Refused(receipt.Seq, refused)));
            }
        }
        var groups = signals.GroupBy(s => CaseIntake.SensorKey(s.Command)).ToList(); // in order of each sensor's first signal
        await LockSensorsAsync(connection, groups.Select(g => "sensor:" + g.Key), ct);
        Phase("lock");

        var keyIds = signals.Where(s => s.Key is not null).Select(s => IntakeKey.IdFor(s.Actor, (CaseCommand)s.Command, s.Key!)).Distinct().ToArray();
        var seenKeys = keyIds.Length == 0 ? [] : (await session.LoadManyAsync<IntakeKey>(ct, keyIds)).ToDictionary(k => k.Id);
        Phase("keys");
        var sensorIds = groups.Select(g => g.First().Command.SensorId.Trim()).Distinct().ToArray();
        var openViews = await session.Query<CaseView>() // the ids alone, not whole views
            .Where(v => v.IsOpen && v.Sensor != null && v.Sensor.SensorId.IsOneOf(sensorIds))
            .Select(v => new { v.Id, v.Sensor!.SensorId, v.Sensor.AlarmType }).ToListAsync(ct);
        Phase("views");
        var batchKeys = groups.Select(g => g.Key).ToHashSet(); // a sensor's other alarm types' cases are not fetched
        var openBySensor = openViews.Select(v => (Key: $"{v.SensorId}|{v.AlarmType}", v.Id)).Where(v => batchKeys.Contains(v.Key))
            .GroupBy(v => v.Key).ToDictionary(g => g.Key, g => g.First().Id);
        var streams = openBySensor.Count == 0 ? [] : (await session.Events.FetchManyForWriting<Case>([.. openBySensor.Values.Distinct()], ct))
            .ToDictionary(s => s.Id);
        Phase("fetch");
        var newNumbers = new Queue<string>(await numbers.NextManyAsync(groups.Count(g =>
            !(openBySensor.TryGetValue(g.Key, out var id) && streams[id].Aggregate is { IsOpen: true }) && g.Any(s => s.Command.OpensCase)), ct));

        foreach (var group in groups)
        {
            IEventStream<Case>? stream = openBySensor.TryGetValue(group.Key, out var openId) ? streams[openId] : null;
            var sensor = new SensorCase(stream?.Aggregate is { IsOpen: true } open ? open : null, now, rules, calendar);
            foreach (var signal in group)
            {
                var report = (CaseCommand)signal.Command;
                var keyId = signal.Key is null ? null : IntakeKey.IdFor(signal.Actor, report, signal.Key);
                try
                {
                    if (keyId is not null && seenKeys.TryGetValue(keyId, out var seen))
                    {
                        outcomes.Add(new SensorOutcome(signal.Receipt, seen.Fingerprint == IntakeKey.FingerprintOf(report, keys)
                            ? SensorAnswers.Done(signal.Receipt.Seq, "replayed", seen.CaseId, seen.CaseNumber, replayed: true)
                            : SensorAnswers.Refused(signal.Receipt.Seq, new DomainException(ErrorCodes.IdempotencyKeyReused,
                                $"idempotencyKey '{signal.Key!.Trim()}' was already used with a different request (it filed case {seen.CaseNumber}); " +
                                "a retry must repeat the request exactly, and a new report needs a new key"))));
                        continue;
                    }
                    var status = signal.Command switch
                    {
                        RaiseSensorAlarm raise when sensor.State is null => // a number of its own if an earlier filing was refused
                            sensor.File(raise, signal.Actor, newNumbers.Count > 0 ? newNumbers.Dequeue() : await numbers.NextAsync(ct)),
                        RaiseSensorAlarm raise => sensor.Repeat(raise, signal),
                        ClearSensorAlarm clear => sensor.Clear(clear, signal.Actor),
                        _ => throw new InvalidOperationException("not a sensor signal"),
                    };
                    var (caseId, number) = (sensor.State!.Id, sensor.State.Number);
                    outcomes.Add(new SensorOutcome(signal.Receipt,
                        SensorAnswers.Done(signal.Receipt.Seq, status, caseId, number, deduplicated: status == "folded")));
                    if (keyId is not null)
                    {
                        var remembered = new IntakeKey(keyId, caseId, number, IntakeKey.FingerprintOf(report, keys));
                        seenKeys[keyId] = remembered; // a redelivery later in this batch replays it
                        session.Insert(remembered);
                    }
                }
                catch (DomainException refused)
                {
                    outcomes.Add(new SensorOutcome(signal.Receipt, SensorAnswers.Refused(signal.Receipt.Seq, refused)));
                }
            }
            var events = sensor.Finish();
            if (events.Count == 0) continue;
            if (sensor.IsNew) session.Events.StartStream<Case>(sensor.State!.Id, events);
            else stream!.AppendMany(events);
        }
        Phase("decide");
        inbox.Consume(session, taken);
        await session.SaveChangesAsync(ct);
        Phase("save");
        logger.LogDebug("Sensor fold: {Taken} signals, {Sensors} sensors, {Streams} open cases; {Phases}", taken.Count, groups.Count, streams.Count,
            string.Join(", ", phases.Select(p => $"{p.Item1} {p.Item2:F0} ms")));
        return (taken.Count, outcomes);
    }

    /// <summary>The sensors' advisory locks, taken in one order (by hash) so that two folds never wait on each other in a ring.</summary>
    private static async Task LockSensorsAsync(NpgsqlConnection connection, IEnumerable<string> lockKeys, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            select count(pg_advisory_xact_lock(h))
            from (select distinct hashtextextended(k, 0) as h from unnest($1::text[]) as k order by h offset 0) as ordered
            """;
        command.Parameters.Add(new NpgsqlParameter { Value = lockKeys.ToArray() });
        await command.ExecuteScalarAsync(ct);
    }

    private sealed record Signal(SensorReceipt Receipt, ISensorSignal Command, string? Key, Actor Actor);

    /// <summary>One sensor's case through a batch: its state as the decider left it, and the events to append.</summary>
    private sealed class SensorCase(Case? open, Instant now, ICaseRules rules, CityCalendar calendar)
    {
        private readonly List<object> _events = [];
        private readonly List<(Actor By, List<SensorReceipt> Receipts, List<string> Keys, string Severity)> _repeats = [];

        public Case? State { get; private set; } = open;
        public bool IsNew { get; private set; }

        public string File(RaiseSensorAlarm raise, Actor by, string number)
        {
            Decide(Case.NotYetReported(Guid.CreateVersion7(), number), raise, by);
            IsNew = true;
            return "filed";
        }

        /// <summary>Held back and counted, so that the repeats of one device up to a clear become one event.</summary>
        public string Repeat(RaiseSensorAlarm raise, Signal signal)
        {
            var index = _repeats.FindIndex(r => r.By == signal.Actor);
            if (index < 0) _repeats.Add((signal.Actor, [], [], ""));
            index = index < 0 ? _repeats.Count - 1 : index;
            var repeat = _repeats[index];
            repeat.Receipts.Add(signal.Receipt);
            if (signal.Key is not null) repeat.Keys.Add(signal.Key.Trim());
            _repeats[index] = repeat with { Severity = raise.Severity };
            return "folded";
        }

        public string Clear(ClearSensorAlarm clear, Actor by)
        {
            FoldRepeats(); // what came before the clear is recorded before it
            if (State is null)
                throw new DomainException(ErrorCodes.NotFound, $"No open case for sensor {clear.SensorId.Trim()} and alarm type {clear.AlarmType.Trim()}.");
            Decide(State, clear, by);
            return "cleared";
        }

        public IReadOnlyList<object> Finish()
        {
            FoldRepeats();
            return _events;
        }

        private void FoldRepeats()
        {
            foreach (var (by, receipts, repeatKeys, severity) in _repeats)
                Decide(State!, new FoldSensorAlarms(severity, receipts.Count, repeatKeys,
                    Instant.FromDateTimeOffset(receipts.Min(r => r.ReceivedAt))), by);
            _repeats.Clear();
        }

        private void Decide(Case state, CaseCommand command, Actor by)
        {
            var events = CaseDecider.DecideAndFollow(state, command, by, now, rules, calendar.Sla);
            State = events.Aggregate(state, (s, e) => s.After(e));
            _events.AddRange(events);
        }
    }
}

/// <summary>What a device is told, as JSON on its response topic.</summary>
public static class SensorAnswers
{
    /// <summary>Stored in the inbox: it will be folded (the broker's message is acknowledged with this answer).</summary>
    public static object Received(long receipt) => new { status = "received", receipt };

    /// <summary>Folded: <paramref name="status"/> is filed (a new case), folded (a repeat counted on the open case), cleared or replayed.</summary>
    public static object Done(long receipt, string status, Guid caseId, string caseNumber, bool deduplicated = false, bool replayed = false) =>
        new { status, receipt, caseId, caseNumber, deduplicated, replayed };

    /// <summary>Refused, naming why; <paramref name="receipt"/> is null for a refusal on arrival (nothing was stored).</summary>
    public static object Refused(long? receipt, DomainException refused) =>
        new { status = "refused", receipt, error = new { code = refused.Code, message = refused.Message } };
}

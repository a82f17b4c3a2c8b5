using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Time;
using CityCase.Engine.Cases;
using CityCase.Engine.Privacy;
using CityCase.Engine.Sla;
using Marten;
using NodaTime;
using Npgsql;

namespace CityCase.Engine.Intake;

/// <summary>
/// A report of a new case (a complaint, a patrol finding, an Open311 request) and who makes it, as it arrives from
/// GraphQL or Open311. <paramref name="KeyLifetime"/>: how long the idempotency key is remembered (for ever when null);
/// Open311 keys a request by its content when the partner sends no key, and the same request a day later is a new one.
/// </summary>
public sealed record ReportEnvelope(CaseCommand Report, Actor Actor, string? IdempotencyKey = null, Duration? KeyLifetime = null);

/// <summary>A sensor's alarm or its clear, as it arrives from GraphQL: routed to the open case of its sensor and alarm type.</summary>
public sealed record SensorSignalEnvelope(ISensorSignal Signal, Actor Actor, string? IdempotencyKey = null);

/// <summary>
/// What intake answers: the case the report was filed as, folded into, or (a clear) recorded on. <paramref name="Deduplicated"/>
/// when a sensor repeat was folded into its open case; <paramref name="Replayed"/> when an idempotency key
/// had been seen and nothing new was appended.
/// </summary>
public sealed record IntakeAnswer(Guid CaseId, string CaseNumber, bool Deduplicated = false, bool Replayed = false);

/// <summary>
/// An idempotency key already used: whose (the caller and the kind of report, so one caller's key is never
/// another's), the request it came with (an HMAC of the report under a key outside the database: a plain hash of a
/// request holding a phone number could be matched by guessing), and the case it made.
/// </summary>
public sealed record IntakeKey(string Id, Guid CaseId, string CaseNumber, string Fingerprint, Instant? RememberedAt = null)
{
    public const int MaxKeyLength = 200;

    public static string IdFor(Actor caller, CaseCommand report, string key) => $"{report.GetType().Name}|{caller.UserId}|{key.Trim()}";

    public static string FingerprintOf(CaseCommand report, PrivacyKeys keys) =>
        keys.Fingerprint(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(report, report.GetType()));
}

/// <summary>
/// The intake pipelines. Each takes a transaction-scoped advisory lock on its key (idempotency key, or
/// sensor and alarm type) before looking, so that concurrent identical requests queue behind the first
/// and then see what it committed: one case, one set of events. The decisions are the case decider's.
/// </summary>
public static class IntakeHandler
{
    public static async Task<IntakeAnswer> Handle(ReportEnvelope command, IDocumentSession session, CaseNumbers numbers,
        ICaseRules rules, CityCalendar calendar, IClock clock, CitizenVault vault, PrivacyKeys keys, CancellationToken ct)
    {
        CaseIntake.Validate(command.Report, rules); // before a number is spent on it
        if (await Replay(session, keys, command.Actor, command.Report, command.IdempotencyKey, ct,
                command.KeyLifetime is { } lifetime ? clock.GetCurrentInstant() - lifetime : null) is { } replay)
            return replay;
        return await Start(session, numbers, rules, calendar, clock, vault, keys, command.Report, command.Actor, command.IdempotencyKey, ct,
            expiring: command.KeyLifetime is not null);
    }

    public static async Task<IntakeAnswer> Handle(SensorSignalEnvelope command, IDocumentSession session, CaseNumbers numbers,
        ICaseRules rules, CityCalendar calendar, IClock clock, CitizenVault vault, PrivacyKeys keys, CancellationToken ct)
    {
        var signal = command.Signal;
        var report = (CaseCommand)signal;
        CaseIntake.Validate(report, rules);
        if (await Replay(session, keys, command.Actor, report, command.IdempotencyKey, ct) is { } replay) return replay;

        // A storm of repeats folds into the open case of the same sensor and alarm type.
        await Lock(session, "sensor:" + CaseIntake.SensorKey(signal), ct);
        var open = await OpenSensorCase(session, signal.SensorId.Trim(), signal.AlarmType.Trim(), ct);
        if (open is null)
            return signal.OpensCase
                ? await Start(session, numbers, rules, calendar, clock, vault, keys, report, command.Actor, command.IdempotencyKey, ct)
                : throw new DomainException(ErrorCodes.NotFound,
                    $"No open case for sensor {signal.SensorId.Trim()} and alarm type {signal.AlarmType.Trim()}.");

        var stream = await session.Events.FetchForWriting<Case>(open.Id, ct);
        stream.AppendMany(CaseDecider.DecideAndFollow(stream.Aggregate!, report, command.Actor, clock.GetCurrentInstant(), rules, calendar.Sla));
        Remember(session, keys, command.Actor, report, command.IdempotencyKey, open.Id, open.Number);
        return new IntakeAnswer(open.Id, open.Number, Deduplicated: signal.OpensCase);
    }

    private static async Task<IntakeAnswer> Start(IDocumentSession session, CaseNumbers numbers, ICaseRules rules, CityCalendar calendar,
        IClock clock, CitizenVault vault, PrivacyKeys keys, CaseCommand report, Actor actor, string? idempotencyKey, CancellationToken ct,
        bool expiring = false)
    {
        var blank = Case.NotYetReported(Guid.CreateVersion7(), await numbers.NextAsync(ct));
        var decided = report;
        if (report is ICitizenReport { HasCitizen: true } citizenReport)
        {
            // The citizen is sealed under a key of the new case's own, stored in the same transaction as the report.
            var (key, sealedCitizen) = vault.Seal(blank.Id, citizenReport.Citizen!);
            session.Insert(key);
            decided = citizenReport.SealedAs(sealedCitizen);
        }
        var now = clock.GetCurrentInstant();
        session.Events.StartStream<Case>(blank.Id, CaseDecider.DecideAndFollow(blank, decided, actor, now, rules, calendar.Sla));
        Remember(session, keys, actor, report, idempotencyKey, blank.Id, blank.Number, expiring ? now : null);
        return new IntakeAnswer(blank.Id, blank.Number);
    }

    private static void Remember(IDocumentSession session, PrivacyKeys keys, Actor caller, CaseCommand report, string? idempotencyKey,
        Guid caseId, string number, Instant? expiringFrom = null)
    {
        if (string.IsNullOrWhiteSpace(idempotencyKey)) return;
        var key = new IntakeKey(IntakeKey.IdFor(caller, report, idempotencyKey), caseId, number, IntakeKey.FingerprintOf(report, keys), expiringFrom);
        // A key that expires replaces its expired self (under the key's advisory lock); one kept for ever is only ever inserted.
        if (expiringFrom is null) session.Insert(key);
        else session.Store(key);
    }

    /// <summary>
    /// The answer to the same request already handled under the caller's same idempotency key, if any. The same key
    /// with a different request is refused: a retry must repeat the request, and a new report needs a new key.
    /// </summary>
    private static async Task<IntakeAnswer?> Replay(IDocumentSession session, PrivacyKeys keys, Actor caller, CaseCommand report,
        string? idempotencyKey, CancellationToken ct, Instant? forgottenBefore = null)
    {
        if (string.IsNullOrWhiteSpace(idempotencyKey)) return null;
        if (idempotencyKey.Length > IntakeKey.MaxKeyLength)
            throw new ValidationFailedException($"idempotencyKey must be at most {IntakeKey.MaxKeyLength} characters");
        var id = IntakeKey.IdFor(caller, report, idempotencyKey);
        await Lock(session, "idempotency:" + id, ct);
        var seen = await session.LoadAsync<IntakeKey>(id, ct);
        if (seen is null || (forgottenBefore is { } cutoff && (seen.RememberedAt is not { } at || at < cutoff))) return null;
        return seen.Fingerprint == IntakeKey.FingerprintOf(report, keys)
            ? new IntakeAnswer(seen.CaseId, seen.CaseNumber, Replayed: true)
            : throw new DomainException(ErrorCodes.IdempotencyKeyReused,
                $"idempotencyKey '{idempotencyKey.Trim()}' was already used with a different request (it filed case {seen.CaseNumber}); " +
                "a retry must repeat the request exactly, and a new report needs a new key");
    }

    private static async Task<CaseView?> OpenSensorCase(IDocumentSession session, string sensorId, string alarmType,
        CancellationToken ct) =>
        await session.Query<CaseView>()
            .Where(v => v.IsOpen && v.Sensor != null && v.Sensor.SensorId == sensorId && v.Sensor.AlarmType == alarmType)
            .FirstOrDefaultAsync(ct);

    /// <summary>A PostgreSQL advisory lock held until this intake's transaction commits or rolls back.</summary>
    private static async Task Lock(IDocumentSession session, string key, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await using var command = ((NpgsqlConnection)session.Connection!).CreateCommand();
        command.CommandText = "select pg_advisory_xact_lock(hashtextextended($1, 0))";
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await command.ExecuteNonQueryAsync(ct);
    }
}

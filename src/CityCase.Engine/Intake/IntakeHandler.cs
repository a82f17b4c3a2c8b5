using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Reference;
using CityCase.Domain.Time;
using CityCase.Engine.Cases;
using Marten;
using NodaTime;
using Npgsql;

namespace CityCase.Engine.Intake;

/// <summary>An agent's request to file a hotline complaint, as it arrives from GraphQL.</summary>
public sealed record FileComplaint(string Description, Location Location, string? CategoryCode, Citizen? Citizen,
    Actor Agent, string? IdempotencyKey = null);

/// <summary>An inspector's patrol finding, as it arrives from GraphQL.</summary>
public sealed record FilePatrolFinding(string Description, Location Location, string CategoryCode,
    IReadOnlyList<string> PhotoUrls, Actor Inspector, string? IdempotencyKey = null);

/// <summary>A sensor's alarm, as it arrives from GraphQL.</summary>
public sealed record FileSensorAlarm(string SensorId, string AlarmType, Location Location, string Severity, Actor Device,
    string? IdempotencyKey = null);

/// <summary>A sensor says its alarm is over.</summary>
public sealed record FileSensorClear(string SensorId, string AlarmType, Actor Device);

/// <summary>
/// What intake answers: the case (new, or the one the report was folded into). <paramref name="Deduplicated"/>
/// when a sensor repeat was folded into its open case; <paramref name="Replayed"/> when an idempotency key
/// had been seen and nothing new was appended.
/// </summary>
public sealed record CaseFiled(Guid CaseId, string CaseNumber, bool Deduplicated = false, bool Replayed = false);

/// <summary>An idempotency key already used, and the case it made.</summary>
public sealed record IntakeKey(string Id, Guid CaseId, string CaseNumber);

/// <summary>
/// The intake pipelines. Each takes a transaction-scoped advisory lock on its key (idempotency key, or
/// sensor and alarm type) before looking, so that concurrent identical requests queue behind the first
/// and then see what it committed: one case, one set of events.
/// </summary>
public static class IntakeHandler
{
    public static async Task<CaseFiled> Handle(FileComplaint command, IDocumentSession session, CaseNumbers numbers,
        ReferenceData reference, SlaPolicy sla, IClock clock, CancellationToken ct)
    {
        var complaint = new ReportComplaint(command.Description, command.Location, command.CategoryCode, command.Citizen,
            command.Agent, clock.GetCurrentInstant());
        CaseIntake.Validate(complaint, reference); // before a number is spent on it
        if (await Replay(session, command.IdempotencyKey, ct) is { } replay) return replay;

        var caseId = Guid.CreateVersion7();
        var reported = CaseIntake.Decide(complaint, caseId, await numbers.NextAsync(ct), PlaceOf(reference, command.Location));
        return Start(session, sla, complaint.Now, command.IdempotencyKey, caseId, reported.CaseNumber, reported);
    }

    public static async Task<CaseFiled> Handle(FilePatrolFinding command, IDocumentSession session, CaseNumbers numbers,
        ReferenceData reference, SlaPolicy sla, IClock clock, CancellationToken ct)
    {
        var finding = new ReportPatrolFinding(command.Description, command.Location, command.CategoryCode, command.PhotoUrls,
            command.Inspector, clock.GetCurrentInstant());
        CaseIntake.Validate(finding, reference);
        if (await Replay(session, command.IdempotencyKey, ct) is { } replay) return replay;

        var caseId = Guid.CreateVersion7();
        var number = await numbers.NextAsync(ct);
        var events = CaseIntake.Decide(finding, caseId, number, PlaceOf(reference, command.Location));
        return Start(session, sla, finding.Now, command.IdempotencyKey, caseId, number, [.. events]);
    }

    public static async Task<CaseFiled> Handle(FileSensorAlarm command, IDocumentSession session, CaseNumbers numbers,
        ReferenceData reference, ICaseRules rules, SlaPolicy sla, IClock clock, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var alarm = new RaiseSensorAlarm(command.SensorId, command.AlarmType, command.Location, command.Severity, command.Device, now);
        CaseIntake.Validate(alarm);
        if (await Replay(session, command.IdempotencyKey, ct) is { } replay) return replay;

        // A storm of repeats folds into the open case of the same sensor and alarm type.
        await Lock(session, "sensor:" + CaseIntake.SensorKey(command.SensorId, command.AlarmType), ct);
        if (await OpenSensorCase(session, command.SensorId.Trim(), command.AlarmType.Trim(), ct) is { } open)
        {
            var stream = await session.Events.FetchForWriting<Case>(open.Id, ct);
            stream.AppendMany(CaseDecider.Decide(stream.Aggregate!, new RepeatSensorAlarm(command.Severity.Trim()),
                command.Device, now, rules));
            Remember(session, command.IdempotencyKey, open.Id, open.Number);
            return new CaseFiled(open.Id, open.Number, Deduplicated: true);
        }

        var caseId = Guid.CreateVersion7();
        var reported = CaseIntake.Decide(alarm, caseId, await numbers.NextAsync(ct), PlaceOf(reference, command.Location));
        return Start(session, sla, now, command.IdempotencyKey, caseId, reported.CaseNumber, reported);
    }

    public static async Task<CaseFiled> Handle(FileSensorClear command, IDocumentSession session, ICaseRules rules,
        IClock clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(command.SensorId) || string.IsNullOrWhiteSpace(command.AlarmType))
            throw new ValidationFailedException("sensorId and alarmType must not be empty");
        await Lock(session, "sensor:" + CaseIntake.SensorKey(command.SensorId, command.AlarmType), ct);
        var open = await OpenSensorCase(session, command.SensorId.Trim(), command.AlarmType.Trim(), ct)
                   ?? throw new DomainException(ErrorCodes.NotFound,
                       $"No open case for sensor {command.SensorId.Trim()} and alarm type {command.AlarmType.Trim()}.");
        var stream = await session.Events.FetchForWriting<Case>(open.Id, ct);
        stream.AppendMany(CaseDecider.Decide(stream.Aggregate!, new ClearSensorAlarm(), command.Device, clock.GetCurrentInstant(), rules));
        return new CaseFiled(open.Id, open.Number);
    }

    private static CasePlace? PlaceOf(ReferenceData reference, Location location) =>
        reference.GridIndex.GridAt(location.Longitude, location.Latitude)?.Place;

    private static CaseFiled Start(IDocumentSession session, SlaPolicy sla, Instant now, string? idempotencyKey, Guid caseId,
        string number, params object[] events)
    {
        session.Events.StartStream<Case>(caseId, [.. events, .. CaseClocks.ForNewCase(events, sla, now)]);
        Remember(session, idempotencyKey, caseId, number);
        return new CaseFiled(caseId, number);
    }

    private static void Remember(IDocumentSession session, string? idempotencyKey, Guid caseId, string number)
    {
        if (!string.IsNullOrWhiteSpace(idempotencyKey)) session.Insert(new IntakeKey(idempotencyKey.Trim(), caseId, number));
    }

    /// <summary>The answer to a request already handled under the same idempotency key, if any.</summary>
    private static async Task<CaseFiled?> Replay(IDocumentSession session, string? idempotencyKey, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(idempotencyKey)) return null;
        if (idempotencyKey.Length > 200) throw new ValidationFailedException("idempotencyKey must be at most 200 characters");
        await Lock(session, "idempotency:" + idempotencyKey.Trim(), ct);
        var seen = await session.LoadAsync<IntakeKey>(idempotencyKey.Trim(), ct);
        return seen is null ? null : new CaseFiled(seen.CaseId, seen.CaseNumber, Replayed: true);
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

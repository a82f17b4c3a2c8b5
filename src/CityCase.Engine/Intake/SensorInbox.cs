using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace CityCase.Engine.Intake;

/// <summary>
/// A device's signal as received: stored before the device is told "received", and deleted by the transaction that folds
/// it into its case, so a signal is folded exactly once whichever node folds it and whenever a node dies.
/// </summary>
public sealed record SensorReceipt(long Seq, DateTimeOffset ReceivedAt, string Device, byte[] Payload, string? ResponseTopic,
    byte[]? CorrelationData);

/// <summary>
/// The sensor inbox: one PostgreSQL table every node writes to and folds from. Why a table of our own rather than a
/// node's durable Wolverine queue: the fold deletes its rows in the very transaction that appends the events, so
/// "folded" and "consumed" cannot part (no handled-mark after the commit to lose), and any node takes any rows with
/// <c>FOR UPDATE SKIP LOCKED</c>: the rows of a node that dies are unlocked when its connection goes, with no
/// ownership to wait out before another node may fold them.
/// </summary>
public sealed class SensorInbox(NpgsqlDataSource dataSource, CitySettings city, MqttSettings settings)
{
    public const string TableName = "cc_sensor_inbox";

    /// <summary>
    /// Each signal's lane, from its sensor and alarm type: a fold worker takes only its own lanes, so two workers never hold
    /// the same sensor and never wait for each other's locks (the lock still orders workers of different nodes).
    /// </summary>
    public const int Lanes = 64;

    public static short LaneOf(string sensorKey)
    {
        var hash = 2166136261u; // FNV-1a: the same on every node and in every process, unlike string.GetHashCode
        foreach (var c in sensorKey) hash = (hash ^ c) * 16777619u;
        return (short)(hash % Lanes);
    }

    public static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<long>("seq").AsPrimaryKey().BigAutoIncrement();
        table.AddColumn("received_at", "timestamp with time zone").NotNull();
        table.AddColumn("device", "text").NotNull();
        table.AddColumn("payload", "bytea").NotNull();
        table.AddColumn("response_topic", "text");
        table.AddColumn("correlation", "bytea");
        table.AddColumn("lane", "smallint").NotNull().DefaultValueByExpression("0");
        return table;
    }

    /// <summary>Stores signals in one statement (one commit); returns their receipt numbers in the same order.</summary>
    public async Task<long[]> StoreAsync(IReadOnlyList<(string Device, byte[] Payload, string? ResponseTopic, byte[]? Correlation, short Lane)> signals,
        DateTimeOffset receivedAt, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            $"""
             insert into {city.Schema}.{TableName} (received_at, device, payload, response_topic, correlation, lane)
             select $1, d, p, r, c, l from unnest($2::text[], $3::bytea[], $4::text[], $5::bytea[], $6::smallint[]) with ordinality as u(d, p, r, c, l, n)
             order by n
             returning seq
             """);
        command.Parameters.Add(new NpgsqlParameter { Value = receivedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = signals.Select(s => s.Device).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = signals.Select(s => s.Payload).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = signals.Select(s => s.ResponseTopic).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = signals.Select(s => s.Correlation).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter { Value = signals.Select(s => s.Lane).ToArray() });
        var seqs = new List<long>(signals.Count);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) seqs.Add(reader.GetInt64(0));
        seqs.Sort(); // one sequence, taken in the rows' order: sorted, they are the signals' numbers in order
        return [.. seqs];
    }

    /// <summary>
    /// Locks up to <paramref name="max"/> of the oldest signals no other transaction holds, inside the open transaction of
    /// <paramref name="connection"/>; <see cref="Consume"/> deletes them with the fold's own commit.
    /// </summary>
    public async Task<List<SensorReceipt>> TakeAsync(NpgsqlConnection connection, int max, int worker, int workers, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"""
             select seq, received_at, device, payload, response_topic, correlation
             from {city.Schema}.{TableName} where lane % $2 = $3 order by seq limit $1 for update skip locked
             """;
        command.Parameters.Add(new NpgsqlParameter { Value = max });
        command.Parameters.Add(new NpgsqlParameter { Value = (short)workers });
        command.Parameters.Add(new NpgsqlParameter { Value = (short)worker });
        var taken = new List<SensorReceipt>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            taken.Add(new SensorReceipt(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2),
                reader.GetFieldValue<byte[]>(3), reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<byte[]>(5)));
        return taken;
    }

    /// <summary>
    /// Deletes the taken signals as one of the session's own operations, so the commit that appends their events removes
    /// them, and a batch that appends nothing (only replays or refusals) still commits.
    /// </summary>
    public void Consume(Marten.IDocumentSession session, IEnumerable<SensorReceipt> taken) =>
        session.QueueSqlCommand($"delete from {city.Schema}.{TableName} where seq = any(?)", [taken.Select(t => t.Seq).ToArray()]);

    private readonly SemaphoreSlim _stored = new(0, settings.FoldWorkers);

    /// <summary>Wakes this node's fold workers: signals were stored (other nodes' workers find them on their next poll).</summary>
    public void Ring()
    {
        lock (_stored)
            if (settings.FoldWorkers - _stored.CurrentCount is var asleep and > 0) _stored.Release(asleep);
    }

    /// <summary>Waits until this node stores signals, or <paramref name="poll"/> has passed (for those other nodes stored).</summary>
    public Task WaitForSignalsAsync(TimeSpan poll, CancellationToken ct) => _stored.WaitAsync(poll, ct);

    /// <summary>How many signals wait to be folded.</summary>
    public async Task<long> WaitingAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select count(*) from {city.Schema}.{TableName}");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}

using Npgsql;

namespace CityCase.Engine.Audit;

/// <summary>One thing found wrong: in a case (its first bad version), or in an anchor (<see cref="CaseId"/> null).</summary>
public sealed record AuditProblem(Guid? CaseId, long? Version, long? Anchor, string Problem)
{
    public override string ToString() => CaseId is { } id
        ? $"case {id} version {Version}: {Problem}"
        : $"anchor {Anchor}: {Problem}";
}

/// <summary>What verifying the store (or one case) against its chain and its signed anchors found.</summary>
public sealed record AuditVerification(
    bool Intact, long CheckedEvents, long CheckedCases, long CheckedAnchors, IReadOnlyList<AuditProblem> Problems,
    IReadOnlyDictionary<Guid, StreamHead> Heads);

/// <summary>A case's last version and its chain hash there, as recomputed from the events.</summary>
public readonly record struct StreamHead(long Version, string Hash);

/// <summary>
/// Re-computes every link from the events as stored now (trusting no hash the database holds) and compares it with
/// <c>cc_event_chain</c>, with the version <c>mt_streams</c> records, and with the heads the anchors signed. Anchors are
/// checked with public keys only. Each broken case is named with its first bad version.
/// </summary>
public static class AuditVerifier
{
    public static async Task<AuditVerification> VerifyAsync(NpgsqlConnection connection, string schema,
        IReadOnlyList<AuditPublicKey> keys, Guid? onlyCase, CancellationToken ct, NpgsqlTransaction? transaction = null)
    {
        var problems = new List<AuditProblem>();
        var anchors = await AuditAnchors.ReadAsync(connection, transaction, schema, onlyCase, ct);
        problems.AddRange(AuditAnchors.Check(anchors, keys));

        // What the anchors signed, per case, oldest first.
        var signed = new Dictionary<Guid, List<(long Anchor, StreamHead Head)>>();
        foreach (var anchor in anchors)
        foreach (var (stream, head) in anchor.Heads ?? [])
            if (onlyCase is null || stream == onlyCase)
                (signed.TryGetValue(stream, out var list) ? list : signed[stream] = []).Add((anchor.Number, head));

        var recordedVersions = await ReadPairsAsync(connection, transaction,
            $"select id, version from {schema}.mt_streams where $1::uuid is null or id = $1", onlyCase, ct);
        var orphanLinks = await ReadPairsAsync(connection, transaction, $"""
            select c.stream_id, min(c.version) from {schema}.{AuditChain.Table} c
            where ($1::uuid is null or c.stream_id = $1)
              and not exists (select from {schema}.mt_events e where e.stream_id = c.stream_id and e.version = c.version)
            group by c.stream_id
            """, onlyCase, ct);

        var heads = new Dictionary<Guid, StreamHead>();
        long events = 0;
        await using (var command = new NpgsqlCommand($"""
            select e.stream_id, e.version, e.seq_id, e.type, e.timestamp, e.correlation_id, e.causation_id, e.data::text, c.hash
            from {schema}.mt_events e left join {schema}.{AuditChain.Table} c on c.stream_id = e.stream_id and c.version = e.version
            where $1::uuid is null or e.stream_id = $1
            order by e.stream_id, e.version
            """, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)onlyCase ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
            await using var reader = await command.ExecuteReaderAsync(ct);
            StreamCheck? stream = null;
            while (await reader.ReadAsync(ct))
            {
                events++;
                var e = new ChainedEvent(reader.GetGuid(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3),
                    reader.GetDateTime(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.GetString(7));
                if (stream?.Id != e.StreamId)
                {
                    if (stream is not null) Finish(stream);
                    stream = new StreamCheck(e.StreamId, signed.GetValueOrDefault(e.StreamId) ?? []);
                }
                stream.Add(e, reader.IsDBNull(8) ? null : reader.GetString(8));
            }
            if (stream is not null) Finish(stream);
        }

        // Cases with no event left at all, though something remembers them.
        foreach (var id in signed.Keys.Concat(recordedVersions.Keys).Concat(orphanLinks.Keys).Distinct().Where(id => !heads.ContainsKey(id)).Order())
        {
            var witness = signed.TryGetValue(id, out var anchored)
                ? $"anchor {anchored[^1].Anchor} signed it up to version {anchored[^1].Head.Version}"
                : recordedVersions.TryGetValue(id, out var recorded) ? $"mt_streams records version {recorded}"
                : "its links remain in the chain";
            problems.Add(new AuditProblem(id, 1, null, $"every event of the case was deleted ({witness})"));
        }

        return new AuditVerification(problems.Count == 0, events, heads.Count, anchors.Count, problems, heads);

        void Finish(StreamCheck stream)
        {
            heads[stream.Id] = stream.Head;
            if (recordedVersions.TryGetValue(stream.Id, out var recorded) && recorded > stream.Head.Version)
                stream.Found(stream.Head.Version + 1, $"events after version {stream.Head.Version} were deleted: mt_streams records version {recorded}");
            if (orphanLinks.TryGetValue(stream.Id, out var orphan))
                stream.Found(orphan, $"event {orphan} was deleted: its link remains in the chain");
            stream.CheckSigned();
            if (stream.First is { } first) problems.Add(new AuditProblem(stream.Id, first.Version, null, first.Problem));
        }
    }

    private static async Task<Dictionary<Guid, long>> ReadPairsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, Guid? onlyCase, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)onlyCase ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var pairs = new Dictionary<Guid, long>();
        while (await reader.ReadAsync(ct)) pairs[reader.GetGuid(0)] = reader.GetInt64(1);
        return pairs;
    }

    /// <summary>One case's events in version order; keeps the earliest problem seen.</summary>
    private sealed class StreamCheck(Guid id, List<(long Anchor, StreamHead Head)> signed)
    {
        private readonly Dictionary<long, string> _computedAtSigned = new();
        private string? _previous;

        public Guid Id => id;
        public StreamHead Head { get; private set; } = new(0, "");
        public (long Version, string Problem)? First { get; private set; }

        public void Found(long version, string problem)
        {
            if (First is null || version < First.Value.Version) First = (version, problem);
        }

        public void Add(ChainedEvent e, string? recorded)
        {
            if (e.Version != Head.Version + 1)
                Found(Head.Version + 1, $"event {Head.Version + 1} was deleted: the case goes on at version {e.Version}");
            var hash = AuditLink.Hash(_previous, e);
            if (recorded is null) Found(e.Version, $"event {e.Version} has no link in the chain");
            else if (recorded != hash)
                Found(e.Version, $"event {e.Version} is not the event that was recorded: its type, time, data or metadata (or its link in the chain) was altered");
            if (signed.Exists(s => s.Head.Version == e.Version)) _computedAtSigned[e.Version] = hash;
            _previous = hash;
            Head = new StreamHead(e.Version, hash);
        }

        /// <summary>The heads anchors signed for this case must still be reached; the first that is not bounds the damage.</summary>
        public void CheckSigned()
        {
            long vouched = 0;
            foreach (var (anchor, head) in signed)
            {
                if (head.Version > Head.Version)
                {
                    Found(Head.Version + 1, $"events {Head.Version + 1} to {head.Version} were deleted: anchor {anchor} signed the case up to version {head.Version}");
                    return;
                }
                if (_computedAtSigned.GetValueOrDefault(head.Version) != head.Hash)
                {
                    Found(vouched + 1, vouched + 1 == head.Version
                        ? $"event {head.Version} is not the event anchor {anchor} signed, and its link was rewritten to match"
                        : $"the events from version {vouched + 1} to {head.Version} are not those anchor {anchor} signed: one of them " +
                          $"was altered and the chain rewritten to match (version {vouched} is the last one an anchor vouches for)");
                    return;
                }
                vouched = head.Version;
            }
        }
    }
}

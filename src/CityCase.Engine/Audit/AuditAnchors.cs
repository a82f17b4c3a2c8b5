using System.Data;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using NodaTime;
using Npgsql;

namespace CityCase.Engine.Audit;

/// <summary>
/// A signed head of the whole store: the statement (number, the previous anchor's digest, the time, the key, counts and
/// the SHA-256 of the heads), its ECDSA P-256 signature, and the heads themselves: every case whose last version moved
/// since the previous anchor, with its version and chain hash there (null when they were not read).
/// </summary>
public sealed record AuditAnchor(long Number, string Statement, string Signature, IReadOnlyList<(Guid Stream, StreamHead Head)>? Heads)
{
    public string Digest => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Statement)));

    public string Field(string name) =>
        Statement.Split('\n').FirstOrDefault(l => l.StartsWith(name + ": ", StringComparison.Ordinal))?[(name.Length + 2)..] ?? "";

    /// <summary>The heads as signed: one line each, <c>case-id version hash</c>, in ordinal order of the id's text.</summary>
    public static string HeadLines(IEnumerable<(Guid Stream, StreamHead Head)> heads) =>
        string.Concat(heads.Select(h => $"{h.Stream:D} {h.Head.Version.ToString(CultureInfo.InvariantCulture)} {h.Head.Hash}\n")
            .Order(StringComparer.Ordinal));

    public static string HeadsDigest(IEnumerable<(Guid Stream, StreamHead Head)> heads) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(HeadLines(heads))));

    /// <summary>The file an auditor keeps: the statement, its signature, a blank line, the heads.</summary>
    public string ToFile() => $"{Statement}signature: {Signature}\n\n{HeadLines(Heads ?? [])}";

    public static AuditAnchor FromFile(string text)
    {
        var at = text.IndexOf("signature: ", StringComparison.Ordinal);
        if (at < 0) throw new FormatException("no 'signature:' line");
        var end = text.IndexOf('\n', at);
        var statement = text[..at];
        var signature = text[(at + "signature: ".Length)..end];
        var heads = text[(end + 1)..].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' '))
            .Select(p => (Guid.Parse(p[0]), new StreamHead(long.Parse(p[1], CultureInfo.InvariantCulture), p[2]))).ToList();
        var number = long.Parse(statement.Split('\n').First(l => l.StartsWith("number: ", StringComparison.Ordinal))[8..], CultureInfo.InvariantCulture);
        return new AuditAnchor(number, statement, signature, heads);
    }

    public static string FileName(long number) => $"anchor-{number:D8}.txt";
}

/// <summary>What an anchoring pass did.</summary>
public sealed record AnchorOutcome(AuditAnchor? Anchor, AuditVerification? Verification, string? Refusal);

/// <summary>
/// Tamper evidence, second half: the server signs the head of the whole store with a key that is not in the database
/// and writes it where auditors can fetch it (<c>cc_audit_anchor</c>, and files when <c>City:Audit:AnchorDirectory</c>
/// is set). Before signing, the store is verified against the previous anchors, so an anchor never blesses a rewrite.
/// Verifying later needs only the public key: an edited or deleted event, a deleted case, or a chain re-computed to
/// match, up to the last anchor, no longer reaches the heads that were signed.
/// </summary>
public sealed class AuditAnchors(NpgsqlDataSource dataSource, CitySettings city, AuditSigningKey key, IClock clock, ILogger<AuditAnchors> log)
{
    public const string StatementTitle = "CityCase audit anchor";

    public static string TablesSql(string schema) => $"""
        create table if not exists {schema}.cc_audit_anchor (
          number bigint primary key, period bigint unique, statement text not null, signature text not null,
          created_at timestamptz not null default now());
        create table if not exists {schema}.cc_audit_anchor_head (
          anchor bigint not null, stream_id uuid not null, version bigint not null, hash text not null, primary key (anchor, stream_id));
        create index if not exists cc_audit_anchor_head_stream on {schema}.cc_audit_anchor_head (stream_id);
        """;

    /// <summary>The interval <paramref name="now"/> falls in, counted from the Unix epoch; null when only on demand.</summary>
    public long? PeriodOf(Instant now) =>
        city.Audit.AnchorInterval <= TimeSpan.Zero ? null : now.ToUnixTimeTicks() / city.Audit.AnchorInterval.Ticks;

    /// <summary>
    /// Verifies and signs the store's head now, unless <paramref name="period"/> already has its anchor (another node
    /// was first). A session advisory lock makes the nodes take turns; the unique period makes one anchor per interval.
    /// </summary>
    public async Task<AnchorOutcome> AnchorAsync(long? period, CancellationToken ct)
    {
        var schema = city.Schema;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await Execute(connection, null, $"select pg_advisory_lock(hashtext('{schema}.cc_audit_anchor'))", ct);
        try
        {
            // One snapshot for the verification and the heads: appends after it have higher versions and wait for the next anchor.
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            if (period is not null)
            {
                await using var done = new NpgsqlCommand($"select count(*) from {schema}.cc_audit_anchor where period = $1", connection, transaction)
                    { Parameters = { new() { Value = period.Value } } };
                if ((long)(await done.ExecuteScalarAsync(ct))! > 0) return new AnchorOutcome(null, null, null);
            }
            var verification = await AuditVerifier.VerifyAsync(connection, schema, key.PublicKeys, null, ct, transaction);
            if (!verification.Intact)
            {
                log.LogError("The audit trail is broken, so no anchor was signed: {Problem} ({Count} problem(s); run verify-audit for all)",
                    verification.Problems[0].ToString(), verification.Problems.Count);
                return new AnchorOutcome(null, verification, $"The audit trail is broken: {verification.Problems[0]}");
            }

            var anchors = await ReadAsync(connection, transaction, schema, null, ct);
            var signedVersions = new Dictionary<Guid, long>();
            foreach (var a in anchors)
            foreach (var (stream, head) in a.Heads ?? [])
                signedVersions[stream] = head.Version;
            var moved = verification.Heads.Where(h => signedVersions.GetValueOrDefault(h.Key) != h.Value.Version)
                .Select(h => (h.Key, h.Value)).ToList();
            var number = anchors.Count == 0 ? 1 : anchors[^1].Number + 1;
            var statement = new StringBuilder()
                .Append(StatementTitle).Append('\n')
                .Append("number: ").Append(number.ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append("previous: ").Append(anchors.Count == 0 ? "none" : anchors[^1].Digest).Append('\n')
                .Append("signed-at: ").Append(clock.GetCurrentInstant().ToString()).Append('\n')
                .Append("key: ").Append(key.Id).Append('\n')
                .Append("cases: ").Append(verification.Heads.Count.ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append("events: ").Append(verification.CheckedEvents.ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append("heads: ").Append(moved.Count.ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append("heads-sha256: ").Append(AuditAnchor.HeadsDigest(moved)).Append('\n')
                .ToString();
            var signature = Convert.ToBase64String(key.PrivateKey.SignData(Encoding.UTF8.GetBytes(statement), HashAlgorithmName.SHA256));
            var anchor = new AuditAnchor(number, statement, signature, moved);

            await using (var insert = new NpgsqlCommand(
                $"insert into {schema}.cc_audit_anchor (number, period, statement, signature) values ($1, $2, $3, $4)", connection, transaction))
            {
                insert.Parameters.Add(new() { Value = number });
                insert.Parameters.Add(new() { Value = (object?)period ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
                insert.Parameters.Add(new() { Value = statement });
                insert.Parameters.Add(new() { Value = signature });
                await insert.ExecuteNonQueryAsync(ct);
            }
            await using (var copy = await connection.BeginBinaryImportAsync(
                $"copy {schema}.cc_audit_anchor_head (anchor, stream_id, version, hash) from stdin (format binary)", ct))
            {
                foreach (var (stream, head) in moved)
                    await copy.WriteRowAsync(ct, number, stream, head.Version, head.Hash);
                await copy.CompleteAsync(ct);
            }
            await transaction.CommitAsync(ct);
            log.LogInformation("Signed audit anchor {Number}: {Cases} cases, {Events} events, {Moved} heads moved",
                number, verification.Heads.Count, verification.CheckedEvents, moved.Count);
            return new AnchorOutcome(anchor, verification, null);
        }
        finally
        {
            await Execute(connection, null, $"select pg_advisory_unlock(hashtext('{schema}.cc_audit_anchor'))", CancellationToken.None);
        }
    }

    /// <summary>Writes every anchor the directory lacks (a failed write is caught up by the next pass).</summary>
    public async Task<int> ExportAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(city.Audit.AnchorDirectory)) return 0;
        var directory = Path.GetFullPath(city.Audit.AnchorDirectory);
        Directory.CreateDirectory(directory);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var written = 0;
        foreach (var anchor in await ReadAsync(connection, null, city.Schema, null, ct))
        {
            var file = Path.Combine(directory, AuditAnchor.FileName(anchor.Number));
            if (File.Exists(file)) continue; // an anchor file is never rewritten: it is the auditor's evidence
            var temporary = file + ".partial";
            await File.WriteAllTextAsync(temporary, anchor.ToFile(), ct);
            File.Move(temporary, file, overwrite: false);
            written++;
        }
        return written;
    }

    /// <summary>
    /// The anchors in number order with their heads (for one case: every anchor, heads only of those that hold the case;
    /// none when <paramref name="withHeads"/> is false).
    /// </summary>
    public static async Task<List<AuditAnchor>> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string schema,
        Guid? onlyCase, CancellationToken ct, bool withHeads = true)
    {
        var heads = new Dictionary<long, List<(Guid, StreamHead)>>();
        if (withHeads)
        await using (var command = new NpgsqlCommand($"""
            select anchor, stream_id, version, hash from {schema}.cc_audit_anchor_head
            where $1::uuid is null or anchor in (select anchor from {schema}.cc_audit_anchor_head where stream_id = $1)
            """, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)onlyCase ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                (heads.TryGetValue(reader.GetInt64(0), out var list) ? list : heads[reader.GetInt64(0)] = [])
                    .Add((reader.GetGuid(1), new StreamHead(reader.GetInt64(2), reader.GetString(3))));
        }
        var anchors = new List<AuditAnchor>();
        await using (var command = new NpgsqlCommand($"select number, statement, signature from {schema}.cc_audit_anchor order by number", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                anchors.Add(new AuditAnchor(reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
                    heads.GetValueOrDefault(reader.GetInt64(0)) ?? (onlyCase is null && withHeads ? [] : null)));
        return anchors;
    }

    /// <summary>
    /// Each anchor as signed: its signature verifies with one of <paramref name="keys"/>, it follows the one before (number
    /// and digest), and its heads are those it signed (where they were read).
    /// </summary>
    public static IEnumerable<AuditProblem> Check(IReadOnlyList<AuditAnchor> anchors, IReadOnlyList<AuditPublicKey> keys)
    {
        AuditAnchor? previous = null;
        foreach (var anchor in anchors)
        {
            if (SignatureProblem(anchor, keys) is { } unsigned) yield return unsigned;
            var expectedNumber = (previous?.Number ?? 0) + 1;
            if (anchor.Number != expectedNumber)
                yield return new AuditProblem(null, null, expectedNumber, $"anchor {expectedNumber} is missing (the next is {anchor.Number})");
            else if (anchor.Field("previous") != (previous?.Digest ?? "none"))
                yield return new AuditProblem(null, null, anchor.Number, "it does not follow the anchor before it: an earlier anchor was altered or replaced");
            if (anchor.Heads is { } heads && AuditAnchor.HeadsDigest(heads) != anchor.Field("heads-sha256"))
                yield return new AuditProblem(null, null, anchor.Number, "its heads in cc_audit_anchor_head are not those it signed");
            previous = anchor;
        }
    }

    private static AuditProblem? SignatureProblem(AuditAnchor anchor, IReadOnlyList<AuditPublicKey> keys)
    {
        var signer = keys.FirstOrDefault(k => k.Id == anchor.Field("key"));
        if (signer is null)
            return new AuditProblem(null, null, anchor.Number, $"it was signed by key '{anchor.Field("key")}', which is not among the public keys given");
        if (!Verifies(signer, anchor))
            return new AuditProblem(null, null, anchor.Number, "its statement is not what was signed: the anchor was altered");
        if (anchor.Field("number") != anchor.Number.ToString(CultureInfo.InvariantCulture))
            return new AuditProblem(null, null, anchor.Number, $"the signed statement is anchor {anchor.Field("number")}: anchors were renumbered");
        return null;
    }

    /// <summary>The anchors an auditor kept (files) must be in the database exactly as kept: a deleted or replaced anchor shows here.</summary>
    public static IEnumerable<AuditProblem> Compare(IReadOnlyList<AuditAnchor> kept, IReadOnlyList<AuditAnchor> stored, IReadOnlyList<AuditPublicKey> keys)
    {
        foreach (var file in kept)
            if (SignatureProblem(file, keys) is { } unsigned)
                yield return unsigned with { Problem = $"the auditor's copy: {unsigned.Problem}" };
        var byNumber = stored.ToDictionary(a => a.Number);
        foreach (var file in kept.OrderBy(a => a.Number))
        {
            if (!byNumber.TryGetValue(file.Number, out var row))
                yield return new AuditProblem(null, null, file.Number, "it was deleted from the database (an auditor's copy holds it)");
            else if (row.Statement != file.Statement || row.Signature != file.Signature || AuditAnchor.HeadLines(row.Heads ?? []) != AuditAnchor.HeadLines(file.Heads ?? []))
                yield return new AuditProblem(null, null, file.Number, "the database holds another anchor under its number than the auditor's copy");
        }
    }

    private static bool Verifies(AuditPublicKey key, AuditAnchor anchor)
    {
        try
        {
            return key.Key.VerifyData(Encoding.UTF8.GetBytes(anchor.Statement), Convert.FromBase64String(anchor.Signature), HashAlgorithmName.SHA256);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
    }
}

using Microsoft.Extensions.Hosting;
using Npgsql;

namespace CityCase.Engine.Audit;

/// <summary>What re-computing a case's chain found.</summary>
public sealed record AuditChainResult(bool Intact, int CheckedEvents, long? FirstBrokenVersion, string? Problem);

/// <summary>
/// Tamper evidence, first half: every event of a case is chained to the one before by a SHA-256 hash of the event
/// (<see cref="AuditLink"/>), computed by a PostgreSQL trigger in the very transaction that appends the event (so no
/// path that appends can skip it) and kept beside the stream in <c>cc_event_chain</c>. Chaining per case keeps appends
/// to different cases free of any shared lock. The second half is <see cref="AuditAnchors"/>: the chain lives in the
/// database, so someone who may write there can re-compute it, and only a head signed outside the database
/// catches that (and deleted events).
/// </summary>
public sealed class AuditChain(NpgsqlDataSource dataSource, CitySettings city, AuditSigningKey key)
{
    public const string Table = "cc_event_chain";

    public async Task InstallAsync(CancellationToken ct)
    {
        var schema = city.Schema;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var sql = $"""
            select pg_advisory_xact_lock(hashtext('{schema}.cc_audit_install')); -- nodes starting together install once
            create table if not exists {schema}.{Table} (
              stream_id uuid not null, version bigint not null, hash text not null, primary key (stream_id, version));
            create table if not exists {schema}.cc_audit_format (link_format text not null);
            {AuditAnchors.TablesSql(schema)}
            {AuditLink.SqlFunctions(schema)}
            create or replace function {schema}.cc_chain_event() returns trigger language plpgsql as $$
            declare previous text;
            begin
              select hash into previous from {schema}.{Table} where stream_id = NEW.stream_id and version = NEW.version - 1;
              insert into {schema}.{Table} (stream_id, version, hash)
              values (NEW.stream_id, NEW.version, {schema}.cc_audit_link(previous, NEW.stream_id, NEW.version, NEW.seq_id, NEW.type,
                      NEW.timestamp, NEW.correlation_id, NEW.causation_id, NEW.data));
              return NEW;
            end $$;
            drop trigger if exists cc_chain_event on {schema}.mt_events;
            create trigger cc_chain_event after insert on {schema}.mt_events for each row execute function {schema}.cc_chain_event();
            """;
        await using (var install = new NpgsqlCommand(sql, connection, transaction))
            await install.ExecuteNonQueryAsync(ct);
        await RechainEarlierFormatAsync(connection, transaction, ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// A store chained by an earlier version (links over version, type and data only) is chained again in the current
    /// format, once. No anchor can exist yet (anchors came with this format), so nothing signed is contradicted; the
    /// re-chained store is taken as it stands, which is all an unanchored chain could ever vouch for anyway.
    /// </summary>
    private async Task RechainEarlierFormatAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        var schema = city.Schema;
        await using (var current = new NpgsqlCommand($"select link_format from {schema}.cc_audit_format", connection, transaction))
            if (await current.ExecuteScalarAsync(ct) as string == AuditLink.Format) return;
        await using var rechain = new NpgsqlCommand($"""
            do $$
            declare e record; previous text; previous_stream uuid;
            begin
              for e in select * from {schema}.mt_events order by stream_id, version loop
                if e.stream_id is distinct from previous_stream then previous := null; previous_stream := e.stream_id; end if;
                previous := {schema}.cc_audit_link(previous, e.stream_id, e.version, e.seq_id, e.type, e.timestamp,
                                                   e.correlation_id, e.causation_id, e.data);
                insert into {schema}.{Table} (stream_id, version, hash) values (e.stream_id, e.version, previous)
                on conflict (stream_id, version) do update set hash = excluded.hash;
              end loop;
            end $$;
            delete from {schema}.cc_audit_format;
            insert into {schema}.cc_audit_format (link_format) values ('{AuditLink.Format}');
            """, connection, transaction);
        await rechain.ExecuteNonQueryAsync(ct);
    }

    /// <summary>One case: its chain, its stream's recorded version and the heads the anchors signed for it; null when no trace of it exists.</summary>
    public async Task<AuditChainResult?> VerifyAsync(Guid caseId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var report = await AuditVerifier.VerifyAsync(connection, city.Schema, key.PublicKeys, caseId, ct);
        if (report.CheckedCases == 0 && report.Problems.Count == 0) return null;
        var problem = report.Problems.FirstOrDefault();
        return new AuditChainResult(report.Intact, (int)report.CheckedEvents, problem?.Version,
            problem is { CaseId: null } ? problem.ToString() : problem?.Problem); // an anchor's problem names the anchor
    }
}

/// <summary>Installs the chain's tables and trigger once the event store's tables exist.</summary>
public sealed class AuditChainInstaller(AuditChain chain) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => chain.InstallAsync(ct);
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}

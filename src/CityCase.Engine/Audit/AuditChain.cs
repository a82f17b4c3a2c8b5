using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace CityCase.Engine.Audit;

/// <summary>What re-computing a case's chain found.</summary>
public sealed record AuditChainResult(bool Intact, int CheckedEvents, long? FirstBrokenVersion, string? Problem);

/// <summary>
/// Tamper evidence: every event of a case is chained to the one before by a SHA-256 hash, computed by
/// a PostgreSQL trigger in the very transaction that appends the event (so no path that appends can
/// skip it) and kept beside the stream in <c>cc_event_chain</c>. Re-computing the chain from the
/// events as they are stored now shows whether any was altered, and at which version.
/// </summary>
public sealed class AuditChain(NpgsqlDataSource dataSource, CitySettings city)
{
    public const string Table = "cc_event_chain";

    /// <summary>hash(n) = sha256(hash(n-1) | version | type | data as text), hex.</summary>
    public static string Link(string? previous, long version, string type, string data) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{previous ?? ""}|{version}|{type}|{data}")));

    public async Task InstallAsync(CancellationToken ct)
    {
        var schema = city.Schema;
        var sql = $"""
            create table if not exists {schema}.{Table} (
              stream_id uuid not null, version bigint not null, hash text not null, primary key (stream_id, version));
            create or replace function {schema}.cc_chain_event() returns trigger language plpgsql as $$
            declare previous text;
            begin
              select hash into previous from {schema}.{Table} where stream_id = NEW.stream_id and version = NEW.version - 1;
              insert into {schema}.{Table} (stream_id, version, hash)
              values (NEW.stream_id, NEW.version,
                      encode(sha256(convert_to(coalesce(previous, '') || '|' || NEW.version || '|' || NEW.type || '|' || NEW.data::text, 'UTF8')), 'hex'));
              return NEW;
            end $$;
            drop trigger if exists cc_chain_event on {schema}.mt_events;
            create trigger cc_chain_event after insert on {schema}.mt_events for each row execute function {schema}.cc_chain_event();
            """;
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<AuditChainResult?> VerifyAsync(Guid caseId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            select e.version, e.type, e.data::text, c.hash
            from {city.Schema}.mt_events e left join {city.Schema}.{Table} c on c.stream_id = e.stream_id and c.version = e.version
            where e.stream_id = $1 order by e.version
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = caseId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        string? previous = null;
        var count = 0;
        while (await reader.ReadAsync(ct))
        {
            count++;
            var version = reader.GetInt64(0);
            var expected = Link(previous, version, reader.GetString(1), reader.GetString(2));
            var recorded = reader.IsDBNull(3) ? null : reader.GetString(3);
            if (recorded is null)
                return new AuditChainResult(false, count, version, $"event {version} has no link in the chain");
            if (recorded != expected)
                return new AuditChainResult(false, count, version, $"event {version} is not the event that was recorded: its data or type was altered");
            previous = recorded;
        }
        return count == 0 ? null : new AuditChainResult(true, count, null, null);
    }
}

/// <summary>Installs the chain's table and trigger once the event store's tables exist.</summary>
public sealed class AuditChainInstaller(AuditChain chain) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => chain.InstallAsync(ct);
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}

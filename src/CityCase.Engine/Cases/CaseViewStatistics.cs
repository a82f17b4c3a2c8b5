using Marten;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace CityCase.Engine.Cases;

/// <summary>
/// Statistics on the case view's report time (<see cref="CaseView.ReportedAtMs"/>), which no index covers. Without them
/// PostgreSQL guesses that a report-time range keeps 0.5 % of the rows, and pages through a month of cases by sorting
/// the rest of the month for every page (an export or a cases(filter) page over a month: 250-380 ms a page on 200,000
/// cases); with them it walks the case-number index and stops at the page (22 ms). Created once, and analyzed at a
/// start that finds them still empty (so they hold at once, even if the node that created them stopped before); autovacuum
/// keeps them current after that.
/// </summary>
public sealed class CaseViewStatistics(NpgsqlDataSource dataSource, IDocumentStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        var table = store.Options.Schema.For<CaseView>(); // schema-qualified
        var schema = table.Split('.')[0];
        const string name = "mt_doc_caseview_stx_reported_at";
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand($"""
            select pg_advisory_xact_lock(hashtext('{schema}.{name}')); -- nodes starting together create it once
            select exists (select 1 from pg_statistic_ext s join pg_namespace n on n.oid = s.stxnamespace
                           where s.stxname = '{name}' and n.nspname = '{schema}'),
                   exists (select 1 from pg_stats_ext_exprs where statistics_schemaname = '{schema}' and statistics_name = '{name}');
            """, connection, transaction);
        bool created, analyzed;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            (created, analyzed) = (reader.GetBoolean(0), reader.GetBoolean(1));
        }
        if (!created)
        {
            await using var create = new NpgsqlCommand(
                $"create statistics {schema}.{name} on ((data ->> 'reportedAtMs')::bigint) from {table}", connection, transaction);
            await create.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        if (analyzed) return;
        await using var analyze = new NpgsqlCommand($"analyze {table}", connection);
        await analyze.ExecuteNonQueryAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}

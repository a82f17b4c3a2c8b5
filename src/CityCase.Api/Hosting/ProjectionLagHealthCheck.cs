using CityCase.Engine;
using CityCase.Engine.Assessment;
using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace CityCase.Api.Hosting;

/// <summary>
/// Ready only while the async projections keep up: the active scorecards' progress is within
/// <c>Health:MaxProjectionLag</c> events (10,000) of the newest event. Read from Marten's progression
/// table, so it tells the same on every node, whichever node runs the projections.
/// </summary>
public sealed class ProjectionLagHealthCheck(NpgsqlDataSource dataSource, CitySettings city, IConfiguration configuration, IDocumentStore store)
    : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var maxLag = configuration.GetValue("Health:MaxProjectionLag", 10_000L);
        try
        {
            await using var command = dataSource.CreateCommand(
                // The newest event itself, not only the daemon's recorded high-water mark: that row stands still while no
                // node runs the daemon (a leader just died), and would make a stalled projection look caught up.
                $"select greatest(coalesce(max(last_seq_id) filter (where name = 'HighWaterMark'), 0), " +
                $"(select coalesce(max(seq_id), 0) from {city.Schema}.mt_events)), " +
                // The scorecards' version the reads answer from (a newer one may be building beside it).
                $"coalesce(max(last_seq_id) filter (where name = coalesce((select nullif(data ->> 'shard', '') from {store.Options.Schema.For<ActiveScorecards>()} " +
                $"where id = '{ActiveScorecards.TheId}'), '{ScorecardVersion.ShardOf(1)}')), 0) from {city.Schema}.mt_event_progression");
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var (highWater, scorecards) = (reader.GetInt64(0), reader.GetInt64(1));
            var lag = highWater - scorecards;
            return lag <= maxLag
                ? HealthCheckResult.Healthy($"projections are {lag} events behind the high-water mark {highWater}")
                : HealthCheckResult.Unhealthy($"projections are {lag} events behind the high-water mark {highWater} (more than {maxLag})");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is not reachable", e);
        }
    }
}

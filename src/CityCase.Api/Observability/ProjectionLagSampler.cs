using System.Diagnostics.Metrics;
using CityCase.Engine;
using CityCase.Engine.Observability;
using CityCase.Engine.Sla;
using Marten;
using NodaTime;
using Npgsql;

namespace CityCase.Api.Observability;

/// <summary>
/// Samples every few seconds what the gauges show: each projection shard's lag behind the newest event (events and the
/// age of the oldest event it has not processed) and the timekeeper's backlog. One query a sample, on every node (they
/// read the same tables, so every node tells the same); the gauges read the last sample.
/// </summary>
public sealed class ProjectionLagSampler(NpgsqlDataSource dataSource, CitySettings city, IDocumentStore store, IClock clock,
    IConfiguration configuration, ILogger<ProjectionLagSampler> logger) : BackgroundService, CityCaseMetrics.ISamples
{
    private volatile IReadOnlyList<(string Shard, long Events, double Seconds)> _shards = [];
    private long _backlog;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var observed = CityCaseMetrics.ObserveSamples(this);
        var every = configuration.GetValue("Telemetry:SampleSeconds", 5.0);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(every));
        do
        {
            try { await SampleAsync(stoppingToken); }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                logger.LogDebug(e, "Could not sample the projection lag");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public IEnumerable<Measurement<long>> LagEvents() =>
        _shards.Select(s => new Measurement<long>(s.Events, new KeyValuePair<string, object?>("shard", s.Shard)));

    public IEnumerable<Measurement<double>> LagSeconds() =>
        _shards.Select(s => new Measurement<double>(s.Seconds, new KeyValuePair<string, object?>("shard", s.Shard)));

    public long Backlog() => Interlocked.Read(ref _backlog);

    public async Task SampleAsync(CancellationToken ct)
    {
        var events = $"{city.Schema}.mt_events";
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            select p.name, greatest(0, (select coalesce(max(seq_id), 0) from {events}) - p.last_seq_id),
                   coalesce(extract(epoch from now() - (select e.timestamp from {events} e where e.seq_id > p.last_seq_id order by e.seq_id limit 1)), 0)
            from {city.Schema}.mt_event_progression p where p.name <> 'HighWaterMark' order by p.name
            """));
        var nowMs = clock.GetCurrentInstant().ToUnixTimeMilliseconds();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"select count(*) from {store.Options.Schema.For<SlaTimer>()} {DueSlaTimers.Where.Replace("?", nowMs.ToString())}"));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var shards = new List<(string, long, double)>();
        while (await reader.ReadAsync(ct)) shards.Add((reader.GetString(0), reader.GetInt64(1), Convert.ToDouble(reader.GetValue(2))));
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        _shards = shards;
        Interlocked.Exchange(ref _backlog, reader.GetInt64(0));
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using CityCase.IntegrationTests.Infrastructure;
using CityCase.Simulation;
using Npgsql;

namespace CityCase.Benchmarks;

/// <summary>One failover: the promotion's own time, and the seconds from the kill until a write begun after it succeeds.</summary>
public sealed record FailoverResult(TimeSpan Promotion, TimeSpan WritesBack, int Acknowledged, int Lost, int Failed, string? FirstFailure,
    double PerSecondBefore, string ServerVersion);

/// <summary>
/// The server over a primary and its synchronous standby (one multi-host connection string), filing cases with every client;
/// the primary's postmaster is killed (SIGKILL) and the standby promoted at once, as a failover manager would once it has
/// decided. Then: when writes succeed again, and whether every acknowledged case is on the new primary.
/// </summary>
public static class Failover
{
    public static async Task<FailoverResult> MeasureAsync(string apiAssembly, int port, int clients, CaseArrival[] arrivals,
        Func<HttpClient, CityCaseClient> clientFor)
    {
        await using var postgres = await ReplicatedPostgres.StartAsync();
        await postgres.CreateDatabaseAsync("citycase");
        await using var server = new ServerProcess(apiAssembly, postgres.ConnectionString("citycase"), port);
        await server.WaitUntilReady(TimeSpan.FromSeconds(90));
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
            { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var client = clientFor(http);

        var clock = Stopwatch.StartNew();
        var acknowledged = new ConcurrentBag<(TimeSpan Started, TimeSpan Answered, Guid Id)>();
        var failed = 0;
        string? firstFailure = null;
        using var stop = new CancellationTokenSource();
        var loops = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            for (var n = c; !stop.IsCancellationRequested; n += clients)
            {
                var started = clock.Elapsed;
                try
                {
                    var id = await client.ReportAsync(arrivals[n % arrivals.Length]);
                    acknowledged.Add((started, clock.Elapsed, id));
                }
                catch (Exception e) when (e is GraphQLCallException or HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstFailure, e.Message, null);
                    await Task.Delay(20); // retry promptly, not in a tight loop
                }
            }
        })).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(6)); // warm, under full load
        var killedAt = clock.Elapsed;
        // The intake rate under synchronous replication, over the last 3 s before the kill (the first ones warm up).
        var perSecondBefore = acknowledged.Count(a => a.Answered > killedAt - TimeSpan.FromSeconds(3)) / 3.0;
        var promotion = await postgres.KillPrimaryAndPromoteAsync();
        TimeSpan? back = null;
        while (clock.Elapsed - killedAt < TimeSpan.FromSeconds(60))
        {
            back = acknowledged.Where(a => a.Started > killedAt).Select(a => (TimeSpan?)(a.Answered - killedAt)).Min();
            if (back is not null) break;
            await Task.Delay(20);
        }
        await Task.Delay(TimeSpan.FromSeconds(2)); // and writes go on
        await stop.CancelAsync();
        await Task.WhenAll(loops);
        if (back is null) throw new InvalidOperationException("Writes did not succeed within 60 s of the kill:\n" + server.Output);

        var ids = acknowledged.Select(a => a.Id).ToArray();
        await using var connection = new NpgsqlConnection(postgres.Standby.ConnectionString("citycase"));
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from citycase.mt_doc_caseview where id = any($1)", connection)
        {
            Parameters = { new() { Value = ids } },
        };
        var present = (long)(await count.ExecuteScalarAsync())!;
        var version = (string)(await new NpgsqlCommand("show server_version", connection).ExecuteScalarAsync())!;
        return new FailoverResult(promotion, back.Value, ids.Length, ids.Length - (int)present, failed, firstFailure, perSecondBefore, version);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CityCase.IntegrationTests.Hosting;
using CityCase.IntegrationTests.Infrastructure;
using Npgsql;

namespace CityCase.IntegrationTests.MultiNode;

/// <summary>
/// Two API node processes over a PostgreSQL primary and its synchronous standby, given both in one multi-host connection
/// string: the primary is killed (SIGKILL) and the standby promoted while cases are filed on both nodes.
/// </summary>
public sealed class StandbyFailoverTests
{
    private sealed record Filing(int Node, TimeSpan Started, TimeSpan Answered, string? Id, string? Error);

    [Fact]
    public async Task Primary_killed_and_standby_promoted_under_load_loses_no_acknowledged_case_and_the_nodes_carry_on()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        var whole = Stopwatch.StartNew();
        await using var postgres = await ReplicatedPostgres.StartAsync(timeout.Token);
        await postgres.CreateDatabaseAsync("citycase");
        // Listed standby first, the data source the nodes build still connects to the primary.
        var standbyFirst = new NpgsqlConnectionStringBuilder(postgres.Standby.ConnectionString("citycase"))
        {
            Host = $"127.0.0.1:{postgres.Standby.Port},127.0.0.1:{postgres.Primary.Port}",
        }.ConnectionString;
        await using (var dataSource = CityCase.Engine.CityCaseDataSource.Build(standbyFirst))
        await using (var inRecovery = dataSource.CreateCommand("select pg_is_in_recovery()"))
            Assert.False((bool)(await inRecovery.ExecuteScalarAsync(timeout.Token))!);
        var workingDirectory = Directory.CreateTempSubdirectory("citycase-standby-nodes-").FullName;
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Marten"] = postgres.ConnectionString("citycase"),
            // The daemon's own account of its leadership and agents, for a failure message (a CI run once saw one stay behind).
            ["Logging__LogLevel__Marten"] = "Information", ["Logging__LogLevel__JasperFx"] = "Information",
        };
        var token = CityCaseServer.Token("agent", "alice");

        Task<(ServerProcess Node, HttpClient Http)> Start() =>
            ServerProcess.StartNodeAsync(workingDirectory, environment, requestTimeout: TimeSpan.FromSeconds(20));

        var clock = Stopwatch.StartNew();
        async Task<Filing> Report(int node, HttpClient http, string description)
        {
            var started = clock.Elapsed;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
                {
                    Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new
                    {
                        query = Samples.ReportComplaint, variables = Samples.Complaint(description),
                    }), System.Text.Encoding.UTF8, "application/json"),
                };
                request.Headers.Authorization = new("Bearer", token);
                using var response = await http.SendAsync(request);
                var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
                var id = body?["data"]?["reportComplaint"]?["case"]?["id"]?.GetValue<string>();
                return id is not null && body?["errors"] is null
                    ? new Filing(node, started, clock.Elapsed, id, null)
                    : new Filing(node, started, clock.Elapsed, null, body?["errors"]?.ToJsonString() ?? $"HTTP {(int)response.StatusCode}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return new Filing(node, started, clock.Elapsed, null, e.Message);
            }
        }

        var postgresReady = whole.Elapsed;
        var nodes = await Task.WhenAll(Start(), Start());
        var nodesReady = whole.Elapsed;
        try
        {
            // Two clients per node file cases without pause, before, during and after the failover.
            var filings = new ConcurrentQueue<Filing>();
            using var stopFiling = new CancellationTokenSource();
            var clients = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
            {
                for (var i = 0; !stopFiling.IsCancellationRequested; i++)
                {
                    var filing = await Report(c % 2, nodes[c % 2].Http, $"Street lamp out, client {c}, report {i}");
                    filings.Enqueue(filing);
                    if (filing.Error is not null) await Task.Delay(50); // a failed write is retried promptly, not in a tight loop
                }
            })).ToArray();

            async Task WaitUntil(Func<bool> condition, TimeSpan limit, string what)
            {
                for (var waited = Stopwatch.StartNew(); !condition(); await Task.Delay(50, timeout.Token))
                    if (waited.Elapsed > limit) throw new Xunit.Sdk.XunitException($"{what} did not happen within {limit.TotalSeconds} s");
            }

            await WaitUntil(() => filings.Count(f => f.Id is not null) >= 10, TimeSpan.FromSeconds(20), "filing 10 cases before the kill");
            var killedAt = clock.Elapsed;
            var killedWhole = whole.Elapsed;
            var promotion = await postgres.KillPrimaryAndPromoteAsync(timeout.Token);
            // Writes are back on a node once a filing that began after the kill is acknowledged by it.
            bool BackOn(int node) => filings.Any(f => f.Node == node && f.Id is not null && f.Started > killedAt);
            await WaitUntil(() => BackOn(0) && BackOn(1), TimeSpan.FromSeconds(30), "writes succeeding again on both nodes");
            await Task.Delay(1000, timeout.Token); // and they keep succeeding for a while
            await stopFiling.CancelAsync();
            await Task.WhenAll(clients);

            var all = filings.ToArray();
            var acknowledged = all.Where(f => f.Id is not null).Select(f => Guid.Parse(f.Id!)).ToArray();
            var firstAfterKill = all.Where(f => f.Id is not null && f.Started > killedAt).Min(f => f.Answered) - killedAt;
            var failed = all.Where(f => f.Error is not null).ToArray();
            Console.WriteLine($"Standby failover: promotion took {promotion.TotalSeconds:0.0} s; writes succeeded again " +
                              $"{firstAfterKill.TotalSeconds:0.0} s after the kill; {acknowledged.Length} cases acknowledged, " +
                              $"{failed.Length} filings failed meanwhile (first: {failed.FirstOrDefault()?.Error})");

            // Every acknowledged case is on the promoted standby: its stream and its case view (inline, same transaction).
            await using (var connection = new NpgsqlConnection(postgres.Standby.ConnectionString("citycase")))
            {
                await connection.OpenAsync(timeout.Token);
                await using var command = new NpgsqlCommand(
                    "select count(*) from citycase.mt_doc_caseview v join citycase.mt_streams s on s.id = v.id where v.id = any($1)", connection)
                {
                    Parameters = { new() { Value = acknowledged } },
                };
                Assert.Equal(acknowledged.Length, (long)(await command.ExecuteScalarAsync(timeout.Token))!);
            }
            Assert.Contains(all, f => f.Id is not null && f.Answered < killedAt);

            // The same processes answer, read and write, without having been restarted.
            for (var n = 0; n < 2; n++)
            {
                Assert.False(nodes[n].Node.HasExited, nodes[n].Node.Output);
                var after = await Report(n, nodes[n].Http, "Filed after the failover");
                Assert.True(after.Id is not null, after.Error);
            }
            // Ready again on both: PostgreSQL reachable, and the projections caught up on the new primary (whichever node
            // took the daemon's advisory lock there).
            var readyAgain = await Task.WhenAll(nodes.Select(async n =>
            {
                for (var waited = Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(30); await Task.Delay(250, timeout.Token))
                {
                    using var response = await n.Http.GetAsync("/health/ready", timeout.Token);
                    var body = await response.Content.ReadAsStringAsync(timeout.Token);
                    if (response.IsSuccessStatusCode && body.Contains("projections are 0 events behind")) return body;
                }
                return await n.Http.GetStringAsync("/health", timeout.Token);
            }));
            // A node not caught up says why: its health report, the progression table and sessions on the new primary, and
            // what the daemons logged (CI runs twice saw the projections stay behind).
            for (var n = 0; n < 2; n++)
                if (!readyAgain[n].Contains("projections are 0 events behind"))
                    Assert.Fail($"node {n} not caught up 30 s after the failover: {readyAgain[n]}\n--- on the new primary:\n" +
                                await DescribeAsync(postgres.Standby.ConnectionString("citycase")) + "\n--- the daemons' last words:\n" +
                                string.Join("\n", nodes.Select((x, i) => $"node {i}:\n{DaemonLog(x.Node.Output)}")));
            Console.WriteLine($"Standby failover test: PostgreSQL pair ready {postgresReady.TotalSeconds:0.0} s, nodes ready " +
                              $"{nodesReady.TotalSeconds:0.0} s, killed {killedWhole.TotalSeconds:0.0} s, all ready again {whole.Elapsed.TotalSeconds:0.0} s");
            Assert.True(firstAfterKill < TimeSpan.FromSeconds(30), $"writes were back {firstAfterKill.TotalSeconds:0.0} s after the kill");
        }
        finally
        {
            foreach (var (node, http) in nodes)
            {
                http.Dispose();
                await node.DisposeAsync();
            }
            try { Directory.Delete(workingDirectory, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<string> DescribeAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var text = new System.Text.StringBuilder();
        foreach (var sql in new[]
                 {
                     "select name, last_seq_id from citycase.mt_event_progression order by name",
                     "select max(seq_id), count(*) from citycase.mt_events",
                     "select pid, state, now() - xact_start, left(query, 100) from pg_stat_activity where datname = 'citycase' and pid <> pg_backend_pid()",
                     "select locktype, objid, mode, granted, pid from pg_locks where locktype = 'advisory'",
                 })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                text.AppendLine(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : reader.GetValue(i).ToString())));
            text.AppendLine();
        }
        return text.ToString();
    }

    /// <summary>The last entries Marten's daemon (Marten.*, JasperFx.*) logged, each with its first lines.</summary>
    private static string DaemonLog(string log)
    {
        var entries = new List<string>();
        var lines = log.Split('\n');
        for (var i = 0; i < lines.Length; i++)
            if (Regex.IsMatch(lines[i], @"^(info|warn|fail|crit): (Marten|JasperFx)"))
                entries.Add(string.Join("\n", lines.Skip(i).Take(4).TakeWhile((l, k) => k == 0 || l.StartsWith("      ", StringComparison.Ordinal))));
        return string.Join("\n", entries.TakeLast(40));
    }
}

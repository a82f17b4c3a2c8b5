using CityCase.IntegrationTests.Infrastructure;
using Npgsql;

namespace CityCase.IntegrationTests.MultiNode;

/// <summary>
/// Two nodes on one PostgreSQL, each decided against the case's stream with optimistic concurrency: the same case
/// dispatched to two departments at once, one request to each node, has one winner and one event.
/// </summary>
[Collection(MultiNodeCollection.Name)]
public sealed class ConflictsAcrossNodesTests
{
    private const int Cases = 100;

    [Fact]
    public async Task Conflicting_dispatches_raced_across_both_nodes_have_one_winner_each_and_one_event()
    {
        var a = new CityCaseServer { Arguments = ["--Sla:PollSeconds", "0"] };
        await a.InitializeAsync();
        var b = new CityCaseServer { SharedDatabase = a.ConnectionString, Arguments = ["--Sla:PollSeconds", "0"] };
        try
        {
            await b.InitializeAsync();
            var (onA, onB) = (new CaseClient(a), new CaseClient(b));
            var ids = new List<string>();
            for (var batch = 0; batch < Cases / 10; batch++)
                ids.AddRange(await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
                {
                    var (id, _) = await (i % 2 == 0 ? onA : onB).Report($"Race {batch * 10 + i}");
                    await (i % 2 == 0 ? onB : onA).Must("acceptCase", onA.Dispatcher, id, new { categoryCode = "1102", urgency = "URGENT" });
                    return id;
                })));

            // Ten cases at a time; for each, both requests leave together, one to each node.
            var outcomes = new List<(string Id, GraphQLResponse A, GraphQLResponse B)>();
            foreach (var chunk in ids.Chunk(10))
                outcomes.AddRange(await Task.WhenAll(chunk.Select(async id =>
                {
                    var toA = onA.Do("dispatchCase", onA.Dispatcher, id, new { departmentCode = "D01" });
                    var toB = onB.Do("dispatchCase", onB.Dispatcher, id, new { departmentCode = "D06" });
                    return (id, await toA, await toB);
                })));

            Assert.All(outcomes, o =>
            {
                var responses = new[] { o.A, o.B };
                Assert.Single(responses, r => r.Errors is null);
                var loser = Assert.Single(responses, r => r.Errors is not null);
                // Lost the race at the append, or came second and found the case dispatched already.
                Assert.Contains(loser.FirstErrorCode, new[] { "CONCURRENCY_CONFLICT", "INVALID_TRANSITION" });
                Assert.False(string.IsNullOrWhiteSpace(loser.FirstErrorMessage));
            });
            var racedAtTheAppend = outcomes.Count(o => (o.A.FirstErrorCode ?? o.B.FirstErrorCode) == "CONCURRENCY_CONFLICT");
            var wonByA = outcomes.Count(o => o.A.Errors is null);
            Console.WriteLine($"Conflicts across nodes: {Cases} races, node A won {wonByA}, node B {Cases - wonByA}; " +
                              $"{racedAtTheAppend} lost at the append (CONCURRENCY_CONFLICT), the rest found the case dispatched");

            // The stream holds exactly one dispatch per case, to the winner's department, and no other change.
            await using var connection = new NpgsqlConnection(a.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                select stream_id::text, count(*) filter (where type = 'case_dispatched'),
                       max(data->>'departmentCode') filter (where type = 'case_dispatched'),
                       count(*) filter (where type not in ('case_reported', 'case_accepted', 'case_dispatched', 'clock_started', 'clock_stopped'))
                from citycase.mt_events where stream_id = any($1) group by stream_id
                """, connection) { Parameters = { new() { Value = ids.Select(Guid.Parse).ToArray() } } };
            var streams = new Dictionary<string, (long Dispatches, string? Department, long Others)>();
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync())
                    streams[reader.GetString(0)] = (reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetInt64(3));

            Assert.Equal(Cases, streams.Count);
            Assert.All(outcomes, o =>
            {
                var stream = streams[o.Id];
                Assert.Equal((1L, o.A.Errors is null ? "D01" : "D06", 0L), stream);
            });
        }
        finally
        {
            await b.DisposeAsync();
            await a.DisposeAsync();
        }
    }
}

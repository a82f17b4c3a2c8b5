using System.Diagnostics;
using CityCase.Domain;
using CityCase.Simulation;
using Npgsql;

namespace CityCase.Benchmarks;

/// <summary>Sequential latencies (after a warm-up) of the queries people wait on, with the seeded month stored.</summary>
public static class Queries
{
    internal static async Task<IReadOnlyList<(string Query, double[] LatenciesMs)>> MeasureAsync(string connectionString,
        CityCaseClient client, Tokens tokens, int samples)
    {
        var ids = new List<Guid>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"select id from citycase.mt_doc_caseview order by random() limit {samples}", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        }
        var streets = new List<string>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("select distinct data->>'streetCode' from citycase.mt_doc_caseview where data->>'streetCode' is not null limit 10", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) streets.Add(reader.GetString(0));
        }
        var auditor = tokens.For(new StepActor(Roles.Auditor));
        var analyst = tokens.For(new StepActor(Roles.Analyst));
        var dispatcher = tokens.For(new StepActor(Roles.Dispatcher)); // a queue is a dispatcher's or its department's to read
        var supervisor = tokens.For(new StepActor(Roles.Supervisor));
        // November 2026 in the city's days (UTC+8).
        const string monthFrom = "2026-10-31T16:00:00Z", monthTo = "2026-11-30T16:00:00Z";
        var departments = new[] { "D01", "D02", "D03", "D05", "D06" };
        (string, Func<int, Task>)[] queries =
        [
            ("case(id)", n => client.PostAsync("query($id: ID) { case(id: $id) { id number status version departmentCode clocks { clock dueAt light } } }", new { id = ids[n % ids.Count] }, auditor)),
            ("caseHistory(id)", n => client.PostAsync("query($id: ID!) { caseHistory(id: $id) { sequence version type timestamp correlationId actor { userId } } }", new { id = ids[n % ids.Count] }, auditor)),
            ("dispatchQueue, first page of 20", n => client.PostAsync("query($d: String!) { dispatchQueue(departmentCode: $d, first: 20) { edges { node { id number urgency } } pageInfo { hasNextPage endCursor } } }", new { d = departments[n % departments.Length] }, dispatcher)),
            ("cases(filter), a street's month, first page of 20", n => client.PostAsync("query($f: CaseFilter) { cases(filter: $f, first: 20) { edges { node { id number status } } pageInfo { hasNextPage endCursor } } }",
                new { f = new { streetCode = streets[n % streets.Count], reportedFrom = monthFrom, reportedTo = monthTo } }, analyst)),
            ("slaBoard, a department's counts and first page", n => client.PostAsync("query($d: String) { slaBoard(departmentCode: $d, first: 20) { green yellow red cases { light case { id number } } pageInfo { hasNextPage } } }", new { d = departments[n % departments.Length] }, supervisor)),
            ("scorecards, a month of departments", n => client.PostAsync("""{ scorecards(dimension: DEPARTMENT, from: "2026-11-01", to: "2026-11-30") { subject counts { shouldDispose disposed } disposalRate onTimeDisposalRate compositeScore } }""", null, analyst)),
            ("scorecards, a year of departments", n => client.PostAsync("""{ scorecards(dimension: DEPARTMENT, from: "2025-12-01", to: "2026-11-30") { subject counts { shouldDispose disposed } disposalRate onTimeDisposalRate compositeScore } }""", null, analyst)),
        ];
        var results = new List<(string, double[])>();
        foreach (var (name, query) in queries)
        {
            for (var i = 0; i < 50; i++) await query(i); // warm-up
            var latencies = new double[samples];
            for (var i = 0; i < samples; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await query(i);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            results.Add((name, latencies));
        }
        return results;
    }

    /// <summary>What exporting every stored case as CSV took: rows, size, time, and the server's memory before, after and at peak.</summary>
    public sealed record ExportResult(string Query, long Rows, long Bytes, TimeSpan Elapsed, double ResidentBeforeMiB, double ResidentAfterMiB, double PeakMiB);

    /// <summary>
    /// Downloads <c>/exports/cases.csv</c> of every case as a dispatcher (so every citizen is opened, and masked), reading
    /// the answer as it streams and counting its lines: the export must not hold its rows in the server's memory.
    /// </summary>
    internal static async Task<ExportResult> MeasureExportAsync(HttpClient http, Tokens tokens, ServerProcess server, string query = "")
    {
        var before = server.ResidentMiB;
        using var request = new HttpRequestMessage(HttpMethod.Get, "exports/cases.csv" + query);
        request.Headers.Authorization = new("Bearer", tokens.For(new StepActor(Roles.Dispatcher)));
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        // The server's resident memory, sampled every 100 ms while the answer streams.
        using var done = new CancellationTokenSource();
        var peak = Task.Run(async () =>
        {
            var most = 0.0;
            while (!done.IsCancellationRequested)
            {
                most = Math.Max(most, server.ResidentMiB);
                await Task.Delay(100, CancellationToken.None);
            }
            return most;
        });
        var buffer = new byte[1 << 16];
        long bytes = 0, lines = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            bytes += read;
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }
        await done.CancelAsync();
        var elapsed = Stopwatch.GetElapsedTime(started);
        // Descriptions have no line breaks in the seeded cases, so the rows are the lines less the header.
        return new ExportResult(query, lines - 1, bytes, elapsed, before, server.ResidentMiB, await peak);
    }
}

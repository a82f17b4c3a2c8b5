using System.Diagnostics;
using CityCase.Domain;
using CityCase.Simulation;
using Npgsql;

namespace CityCase.Benchmarks;

public sealed record LagResult(double Rate, int Cases, double[] ScorecardLagMs, int QueueChecks, int QueueVisibleAtOnce, double[] ReportLatencyMs, string? Failure);

/// <summary>
/// Reports cases at a steady rate; for each, the time from the answer (the events are committed by then)
/// until the scorecard daemon's progression passes the case's last event, read every 5 ms; and for a
/// tenth of them, dispatched, whether the dispatch queue shows the case on the first read after the answer.
/// </summary>
public static class Lag
{
    public static async Task<LagResult> MeasureAsync(string connectionString, CityCaseClient client, CaseJourney[] day,
        double perSecond, TimeSpan duration)
    {
        var answered = new System.Collections.Concurrent.ConcurrentDictionary<Guid, long>();
        var progression = new List<(long At, long Sequence)>();
        using var stop = new CancellationTokenSource();
        var poller = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "select coalesce(max(last_seq_id), 0) from citycase.mt_event_progression where name like 'Scorecards%'", connection);
            while (!stop.IsCancellationRequested)
            {
                var sequence = (long)(await command.ExecuteScalarAsync())!;
                lock (progression) progression.Add((Stopwatch.GetTimestamp(), sequence));
                await Task.Delay(5);
            }
        });

        int queueChecks = 0, queueVisible = 0;
        var reportLatencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        var dispatcher = new StepActor(Roles.Dispatcher);
        var load = await Load.Paced(perSecond, duration, async n =>
        {
            var journey = day[(n * 7 + 3) % day.Length];
            var started = Stopwatch.GetTimestamp();
            var id = await client.ReportAsync(journey.Arrival);
            answered[id] = Stopwatch.GetTimestamp();
            reportLatencies.Add(Stopwatch.GetElapsedTime(started, answered[id]).TotalMilliseconds);
            if (n % 10 != 0) return;
            // A tenth go on to dispatch: the queue is an inline projection, committed with the events.
            foreach (var step in journey.Steps.TakeWhile(s => s.Command is not CityCase.Domain.Cases.DispatchCase))
                await client.PlayAsync(id, step);
            var dispatch = journey.Steps.First(s => s.Command is CityCase.Domain.Cases.DispatchCase d && d.DepartmentCode is not null);
            await client.PlayAsync(id, dispatch);
            var department = ((CityCase.Domain.Cases.DispatchCase)dispatch.Command).DepartmentCode!;
            var view = await client.PostAsync("query($id: ID) { case(id: $id) { departmentCode status } }", new { id }, client.TokenFor(dispatcher));
            Interlocked.Increment(ref queueChecks);
            if (view["case"]?["departmentCode"]?.GetValue<string>() == department) Interlocked.Increment(ref queueVisible);
        });

        await Task.Delay(3000); // let the daemon finish
        stop.Cancel();
        await poller;

        var lastSequence = new Dictionary<Guid, long>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "select stream_id, max(seq_id) from citycase.mt_events where stream_id = any($1) group by stream_id", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = answered.Keys.ToArray() });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) lastSequence[reader.GetGuid(0)] = reader.GetInt64(1);
        }
        var lags = answered.Select(a =>
        {
            var seen = progression.FirstOrDefault(p => p.Sequence >= lastSequence[a.Key] && p.At >= a.Value);
            return seen.At == 0 ? double.NaN : Stopwatch.GetElapsedTime(a.Value, seen.At).TotalMilliseconds;
        }).Where(l => !double.IsNaN(l)).ToArray();
        return new LagResult(perSecond, answered.Count, lags, queueChecks, queueVisible, [.. reportLatencies], load.FirstFailure);
    }
}

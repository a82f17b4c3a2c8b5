using System.Diagnostics;

namespace CityCase.Benchmarks;

/// <summary>What a load run did: operations, time, and each operation's latency.</summary>
public sealed record LoadResult(int Operations, int Failures, TimeSpan Elapsed, double[] LatenciesMs, string? FirstFailure)
{
    public double PerSecond => Operations / Elapsed.TotalSeconds;
    public double Percentile(double p) => Load.Percentile(LatenciesMs, p);
}

public static class Load
{
    /// <summary>Runs <paramref name="clients"/> loops of <paramref name="operation"/> for <paramref name="duration"/>.</summary>
    public static async Task<LoadResult> ClosedLoop(int clients, TimeSpan duration, Func<int, Task> operation)
    {
        var latencies = new List<double>[clients];
        var failures = 0;
        string? firstFailure = null;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            var mine = latencies[client] = new List<double>(4096);
            var n = 0;
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await operation(client * 1_000_000 + n++);
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstFailure, e.Message, null);
                }
            }
        })));
        var elapsed = clock.Elapsed;
        var all = latencies.SelectMany(l => l).ToArray();
        return new LoadResult(all.Length, failures, elapsed, all, firstFailure);
    }

    /// <summary>Starts <paramref name="operation"/> at a steady <paramref name="perSecond"/> for <paramref name="duration"/> (an open loop: a slow answer does not slow the arrivals).</summary>
    public static async Task<LoadResult> Paced(double perSecond, TimeSpan duration, Func<int, Task> operation)
    {
        var tasks = new List<Task<double?>>();
        var clock = Stopwatch.StartNew();
        string? firstFailure = null;
        for (var i = 0; clock.Elapsed < duration; i++)
        {
            var due = TimeSpan.FromSeconds(i / perSecond);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            var n = i;
            tasks.Add(Task.Run(async () =>
            {
                var started = Stopwatch.GetTimestamp();
                try { await operation(n); return (double?)Stopwatch.GetElapsedTime(started).TotalMilliseconds; }
                catch (Exception e) { Interlocked.CompareExchange(ref firstFailure, e.Message, null); return null; }
            }));
        }
        var results = await Task.WhenAll(tasks);
        var ok = results.Where(r => r is not null).Select(r => r!.Value).ToArray();
        return new LoadResult(ok.Length, results.Length - ok.Length, clock.Elapsed, ok, firstFailure);
    }

    public static double Percentile(double[] values, double p)
    {
        if (values.Length == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}

using System.Diagnostics;
using System.Text;

namespace CityCase.Benchmarks;

/// <summary>The CityCase server as a separate process (so its memory is its own), started from the Release build.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ServerProcess(string apiAssembly, string connectionString, int port, params string[] extra)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[apiAssembly, "--environment", "Development", "--urls", $"http://127.0.0.1:{port}",
                     "--ConnectionStrings:Marten", connectionString, "--Logging:LogLevel:Default", "Warning",
                     "--Logging:LogLevel:CityCase.Api", "Information", .. extra])
            start.ArgumentList.Add(arg);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Line(e.Data);
        _process.ErrorDataReceived += (_, e) => Line(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public Uri BaseAddress { get; }

    private void Line(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        if (line.Contains("CityCase is ready")) _ready.TrySetResult();
    }

    public async Task WaitUntilReady(TimeSpan timeout)
    {
        if (await Task.WhenAny(_ready.Task, Task.Delay(timeout), _process.WaitForExitAsync()) != _ready.Task)
            throw new InvalidOperationException("The server did not become ready:\n" + Output);
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>
    /// Waits (at most <paramref name="max"/>) until the server has used under a tenth of a core for three
    /// seconds running: after a restart on a big store its projection daemon first catches up, and
    /// query latencies measured meanwhile would measure that instead. Returns how long it waited.
    /// </summary>
    public async Task<TimeSpan> WaitUntilIdle(TimeSpan max)
    {
        var clock = Stopwatch.StartNew();
        var quiet = 0;
        var before = CpuSeconds();
        while (quiet < 3 && clock.Elapsed < max)
        {
            await Task.Delay(1000);
            var now = CpuSeconds();
            quiet = now - before < 0.1 ? quiet + 1 : 0;
            before = now;
        }
        return clock.Elapsed;
    }

    private double CpuSeconds()
    {
        // /proc/<pid>/stat: fields 14 and 15 (after the command in parentheses) are user and system clock ticks.
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
    }

    /// <summary>The most memory the server process has held resident since it started (VmHWM), in MiB.</summary>
    public double PeakResidentMiB => ProcStatusKb("VmHWM") / 1024.0;

    public double ResidentMiB => ProcStatusKb("VmRSS") / 1024.0;

    private long ProcStatusKb(string field)
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith(field + ":"));
        return long.Parse(line.Split(':', StringSplitOptions.TrimEntries)[1].Split(' ')[0]);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-INT", _process.Id.ToString()])!.WaitForExit();
            if (!_process.WaitForExit(20_000)) _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

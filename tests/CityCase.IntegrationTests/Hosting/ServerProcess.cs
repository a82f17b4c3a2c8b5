using System.Diagnostics;
using System.Text;

#pragma warning disable SYSLIB1054 // a one-line libc call; LibraryImport's source generator is not worth it here

namespace CityCase.IntegrationTests.Hosting;

/// <summary>Runs the built server assembly as a real process, the way a person runs it.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly object _lock = new();

    public ServerProcess(string workingDirectory, IDictionary<string, string?> environment, params string[] args)
    {
        var start = StartInfo(args);
        start.WorkingDirectory = workingDirectory;
        foreach (var (key, value) in environment) start.Environment[key] = value;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>
    /// An API node as a process on a loopback port of its own (its SLA timekeeper not polling), once it says it is ready,
    /// with a client for its address.
    /// </summary>
    public static async Task<(ServerProcess Node, HttpClient Http)> StartNodeAsync(string workingDirectory,
        IDictionary<string, string?> environment, TimeSpan? requestTimeout = null)
    {
        var node = new ServerProcess(workingDirectory, environment, "--urls", "http://127.0.0.1:0", "--Sla:PollSeconds", "0");
        var ready = await node.WaitForLine(l => l.Contains("CityCase is ready:"), TimeSpan.FromSeconds(120));
        Assert.True(ready is not null, node.Output);
        var http = new HttpClient { BaseAddress = new Uri(System.Text.RegularExpressions.Regex.Match(ready!, @"http://[\d.:]+").Value) };
        if (requestTimeout is { } timeout) http.Timeout = timeout;
        return (node, http);
    }

    /// <summary><c>dotnet CityCase.Api.dll args</c> in the Development environment, its output redirected.</summary>
    private static ProcessStartInfo StartInfo(string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Infrastructure.Repository.ApiAssembly);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        return start;
    }

    public string Output { get { lock (_lock) return _output.ToString(); } }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_lock) _output.AppendLine(line);
    }

    /// <summary>Waits until a line of output matches, or the process ends, or the time is up.</summary>
    public async Task<string?> WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var found = Output.Split('\n').FirstOrDefault(match);
            if (found is not null) return found.Trim();
            if (_process.HasExited) return null;
            await Task.Delay(50);
        }
        return null;
    }

    /// <summary>Asks the server to stop as Ctrl+C would, and waits for it.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited) return;
        const int sigint = 2;
        _ = kill(_process.Id, sigint);
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private bool _disposed;

    /// <summary>Kills the server (SIGKILL) if it still runs; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    /// <summary>Runs the assembly with arguments to completion; returns exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunToEnd(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}

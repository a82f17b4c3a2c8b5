using System.Diagnostics;
using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.Subscriptions;

/// <summary>
/// The npm graphql-ws client under Node, as a supervisor's dashboard connects: the test set-up installs
/// its packages (never committed) and each test reads the lines subscribe.mjs prints.
/// </summary>
public sealed class GraphQLWsClient : IAsyncDisposable
{
    private static readonly string Folder = Repository.PathTo("tests", "CityCase.IntegrationTests", "Subscriptions", "client");
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private GraphQLWsClient(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_lines) _lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_lines) _lines.Add("STDERR " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static async Task<GraphQLWsClient> Start(Uri server, string token, string query, object? variables = null, int count = 1)
    {
        await EnsureInstalled();
        var start = new ProcessStartInfo("node") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("subscribe.mjs");
        start.ArgumentList.Add(new UriBuilder(server) { Scheme = "ws", Path = "/graphql" }.Uri.ToString());
        start.ArgumentList.Add(token);
        start.ArgumentList.Add(query);
        start.ArgumentList.Add(System.Text.Json.JsonSerializer.Serialize(variables ?? new { }));
        start.ArgumentList.Add(count.ToString());
        return new GraphQLWsClient(Process.Start(start)!);
    }

    public string Output { get { lock (_lines) return string.Join('\n', _lines); } }

    public async Task<string> WaitFor(string prefix, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            lock (_lines)
                if (_lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line) return line;
            await Task.Delay(25);
        }
        throw new Xunit.Sdk.XunitException($"no '{prefix}' line from graphql-ws; it printed:\n{Output}");
    }

    public bool Has(string prefix) { lock (_lines) return _lines.Any(l => l.StartsWith(prefix, StringComparison.Ordinal)); }

    private static async Task EnsureInstalled()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (Directory.Exists(Path.Combine(Folder, "node_modules", "graphql-ws"))) return;
            var npm = Process.Start(new ProcessStartInfo("npm", "install --no-audit --no-fund --loglevel=error")
            {
                WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true,
            })!;
            var output = await npm.StandardOutput.ReadToEndAsync() + await npm.StandardError.ReadToEndAsync();
            await npm.WaitForExitAsync();
            if (npm.ExitCode != 0) throw new InvalidOperationException($"npm install failed in {Folder}:\n{output}");
        }
        finally { InstallLock.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

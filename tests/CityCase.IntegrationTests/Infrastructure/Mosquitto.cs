using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CityCase.IntegrationTests.Infrastructure;

/// <summary>
/// A real MQTT broker (Debian's mosquitto) on a loopback port, with logins and an ACL as a city would set it up:
/// CityCase's own login reads every device's signals and writes answers; each device may publish only under its
/// own login's topic and read only its own answers.
/// </summary>
public sealed class Mosquitto : IAsyncDisposable
{
    public const string CityCaseUser = "citycase";
    public const string Password = "broker-test-password";

    private readonly Process _process;
    private readonly string _directory;

    private Mosquitto(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The server's command-line settings for this broker.</summary>
    public string[] ServerArguments =>
        ["--Mqtt:Host", "127.0.0.1", "--Mqtt:Port", Port.ToString(), "--Mqtt:Username", CityCaseUser, "--Mqtt:Password", Password];

    /// <summary>Starts a broker whose logins are CityCase's and <paramref name="devices"/>', all with <see cref="Password"/>.</summary>
    public static async Task<Mosquitto> StartAsync(params string[] devices)
    {
        var binary = new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto" }.FirstOrDefault(File.Exists)
                     ?? throw new InvalidOperationException("mosquitto is not installed: `apt-get install mosquitto` (.ci/run does it)");
        var directory = Directory.CreateTempSubdirectory("citycase-mqtt-").FullName;
        var passwords = Path.Combine(directory, "passwd");
        foreach (var (user, index) in devices.Prepend(CityCaseUser).Select((u, i) => (u, i)))
            await Run("mosquitto_passwd", index == 0 ? ["-c", "-b", passwords, user, Password] : ["-b", passwords, user, Password]);
        await File.WriteAllTextAsync(Path.Combine(directory, "acl"), $"""
            user {CityCaseUser}
            topic read citycase/devices/+/signals
            topic write citycase/devices/+/answers

            pattern write citycase/devices/%u/signals
            pattern read citycase/devices/%u/answers
            """);
        var port = LoopbackPort.Free();
        await File.WriteAllTextAsync(Path.Combine(directory, "mosquitto.conf"), $"""
            listener {port} 127.0.0.1
            allow_anonymous false
            password_file {passwords}
            acl_file {Path.Combine(directory, "acl")}
            persistence false
            user root
            # A storm: CityCase acknowledges in batches, so let many messages be on their way to it at once, and queue
            # (rather than drop) what a node has not taken yet.
            max_inflight_messages 1000
            max_queued_messages 1000000
            """);
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Path.Combine(directory, "mosquitto.conf"));
        var process = Process.Start(start)!;
        var broker = new Mosquitto(process, directory, port);
        for (var i = 0; i < 100; i++)
        {
            if (process.HasExited) throw new InvalidOperationException("mosquitto stopped: " + await process.StandardError.ReadToEndAsync());
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return broker;
            }
            catch (SocketException) { await Task.Delay(50); }
        }
        await broker.DisposeAsync();
        throw new InvalidOperationException("mosquitto did not listen within 5 s");
    }

    private static async Task Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} failed: {await process.StandardError.ReadToEndAsync()}");
    }

    public async ValueTask DisposeAsync()
    {
        try { _process.Kill(); await _process.WaitForExitAsync(); } catch (InvalidOperationException) { }
        _process.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

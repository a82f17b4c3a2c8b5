using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CityCase.IntegrationTests.Notices;

/// <summary>
/// A stand-in for the city's SMS platform: a real Kestrel server on a loopback port that records every request, checks
/// its signature, and does what a receiver must do with the idempotency key: the first delivery of a key sends the text,
/// a repeat is answered 200 and sends nothing. <see cref="Answer"/> decides each attempt's answer (a status, or a task
/// that holds the request open).
/// </summary>
public sealed class NoticeReceiver : IAsyncDisposable
{
    public const string Secret = "test-webhook-secret-0123456789";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    public sealed record Received(string Key, string Body, JsonObject Json, bool SignatureValid, int Attempt, DateTime At);

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>The texts actually "sent": one per idempotency key, however often it came.</summary>
    public ConcurrentDictionary<string, string> Sent { get; } = new();

    /// <summary>Given the request and its attempt number (per key), the status to answer; awaited, so it may hold the request.</summary>
    public Func<Received, Task<int>> Answer { get; set; } = _ => Task.FromResult(200);

    public string Url { get; }

    private NoticeReceiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public static async Task<NoticeReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        NoticeReceiver? receiver = null;
        app.MapPost("/sms", async (HttpContext http) => await receiver!.HandleAsync(http));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver = new NoticeReceiver(app, address + "/sms");
        return receiver;
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        var timestamp = http.Request.Headers["X-CityCase-Timestamp"].ToString();
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret),
            Encoding.UTF8.GetBytes(timestamp + "." + body)));
        var json = JsonNode.Parse(body)!.AsObject();
        var received = new Received(key, body, json, http.Request.Headers["X-CityCase-Signature"].ToString() == expected
            && json["idempotencyKey"]?.GetValue<string>() == key, _attempts.AddOrUpdate(key, 1, (_, n) => n + 1), DateTime.UtcNow);
        Requests.Enqueue(received);
        var status = await Answer(received);
        if (status is >= 200 and < 300) Sent.TryAdd(key, json["text"]!.GetValue<string>()); // a repeat of a key sends nothing
        http.Response.StatusCode = status;
    }

    public IReadOnlyList<Received> For(string key) => Requests.Where(r => r.Key == key).ToList();

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(2)); // a held request must not hold the test
        try { await _app.StopAsync(stopping.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }
}

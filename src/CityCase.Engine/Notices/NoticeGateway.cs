using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CityCase.Domain.Cases;
using CityCase.Domain;
using CityCase.Domain.Notices;
using NodaTime;
using NodaTime.Text;

namespace CityCase.Engine.Notices;

/// <summary>A notice the gateway did not take this time (an error answer, a timeout, a refused connection); retried.</summary>
public sealed class NoticeNotTakenException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// What goes to the SMS platform: the idempotency key, the kind, the case number, the phone and the text; nothing else of
/// the citizen (no name: no template can name one).
/// </summary>
public sealed record NoticeMessage(string IdempotencyKey, NotificationKind Kind, string CaseNumber, string To, string Language,
    string Text, Instant QueuedAt)
{
    // The phone must never reach a log line through this record.
    public override string ToString() => $"NoticeMessage {{ {IdempotencyKey}, {Kind}, case {CaseNumber} }}";
}

/// <summary>
/// Posts a notice to the webhook as JSON, signed: <c>X-CityCase-Signature: sha256=hex(HMAC-SHA256(secret, timestamp + "." +
/// body))</c> with <c>X-CityCase-Timestamp</c> (Unix seconds), and the key again as <c>Idempotency-Key</c>. Any 2xx is taken.
/// </summary>
public sealed class NoticeGateway(IHttpClientFactory clients, NoticeSettings settings, NoticeTemplates? templates, IClock clock)
{
    /// <summary>The notices' texts (the reference data's notice-templates.json), if the city has them.</summary>
    public NoticeTemplates? Templates => templates;

    public const string ClientName = "citizen-notices";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public async Task SendAsync(NoticeMessage notice, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(new
        {
            idempotencyKey = notice.IdempotencyKey,
            kind = Naming.ScreamingSnake(notice.Kind.ToString()),
            caseNumber = notice.CaseNumber,
            to = notice.To,
            language = notice.Language,
            text = notice.Text,
            queuedAt = InstantPattern.ExtendedIso.Format(notice.QueuedAt),
        }, Json);
        var timestamp = clock.GetCurrentInstant().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.WebhookUrl)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", notice.IdempotencyKey);
        request.Headers.Add("X-CityCase-Timestamp", timestamp);
        request.Headers.Add("X-CityCase-Signature", "sha256=" + Signature(settings.Secret!, timestamp, body));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(ClientName).SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new NoticeNotTakenException($"the notification gateway could not be reached ({e.GetType().Name}: {e.Message})", e);
        }
        using (response)
            if (!response.IsSuccessStatusCode)
                throw new NoticeNotTakenException($"the notification gateway answered {(int)response.StatusCode} {response.ReasonPhrase}");
    }

    /// <summary>The signature a receiver recomputes to know the body came from CityCase and was not altered.</summary>
    public static string Signature(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));
}

using Microsoft.Extensions.Configuration;

namespace CityCase.Engine.Notices;

/// <summary>
/// The notification gateway (<c>Notices</c> section): the city's SMS platform's webhook. Without <see cref="WebhookUrl"/>
/// nothing is sent and no notice is queued: agents tell citizens themselves and record it with notifyCitizen.
/// </summary>
public sealed class NoticeSettings
{
    /// <summary>The <c>Notices</c> section; without one, no gateway.</summary>
    public static NoticeSettings From(IConfiguration configuration) =>
        configuration.GetSection("Notices").Get<NoticeSettings>() ?? new();

    /// <summary>Where notices are POSTed (http or https); empty: no gateway.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>The shared secret the body is signed with (HMAC-SHA256); at least 16 characters when a webhook is set.</summary>
    public string? Secret { get; set; }

    /// <summary>The language notices are written in (a language of notice-templates.json); empty: its default language.</summary>
    public string? Language { get; set; }

    /// <summary>
    /// The waits before each retry after a failed attempt, in seconds (10, 60, 300, 1800, 7200 when not given: the last
    /// attempt about 2.6 hours after the first); after the last, the notice has failed. (Null by default: configuration
    /// appends to an array it binds to rather than replacing it.)
    /// </summary>
    public int[]? RetryDelaysSeconds { get; set; }

    public IReadOnlyList<int> RetryDelays => RetryDelaysSeconds is { Length: > 0 } delays ? delays : [10, 60, 300, 1800, 7200];

    /// <summary>How long one attempt may take.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>The channel delivered notices are recorded with (CitizenNotified.channel).</summary>
    public string Channel { get; set; } = "SMS";

    public bool Enabled => !string.IsNullOrWhiteSpace(WebhookUrl);

    /// <summary>Every attempt there will be: the first and one per retry delay.</summary>
    public int MaxAttempts => RetryDelays.Count + 1;
}

using CityCase.Domain.Notices;
using CityCase.Engine.Reference;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using Wolverine.ErrorHandling;

namespace CityCase.Engine.Notices;

public static class NoticeConfiguration
{
    /// <summary>
    /// The gateway, its settings checked, the templates of the reference data, and the policy the decider follows (no
    /// gateway: no notice is queued). Refuses to start on a webhook without a secret or templates.
    /// </summary>
    public static IServiceCollection AddCitizenNotices(this IServiceCollection services, NoticeSettings settings, CitySettings city)
    {
        var templates = ReferenceDataFiles.LoadNoticeTemplates(Path.GetFullPath(city.ReferenceDirectory, AppContext.BaseDirectory));
        if (settings.Enabled)
        {
            if (!Uri.TryCreate(settings.WebhookUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                throw new InvalidOperationException($"Notices:WebhookUrl must be an absolute http(s) URL (was '{settings.WebhookUrl}').");
            if (settings.Secret is not { Length: >= 16 })
                throw new InvalidOperationException("Notices:Secret must be set (16 characters or more) with Notices:WebhookUrl: the webhook's body is signed with it.");
            if (templates is null)
                throw new InvalidOperationException($"Notices:WebhookUrl is set, but the reference data has no {NoticeTemplates.File} to write the notices with.");
            if (!string.IsNullOrWhiteSpace(settings.Language) && !templates.Covers(settings.Language))
                throw new InvalidOperationException($"Notices:Language '{settings.Language}' has no template for every kind in {NoticeTemplates.File}.");
            if (settings.RetryDelays.Any(s => s < 0) || settings.RetryDelays.Count > 20)
                throw new InvalidOperationException("Notices:RetryDelaysSeconds must be at most 20 waits of 0 seconds or more.");
            if (settings.TimeoutSeconds is < 1 or > 300)
                throw new InvalidOperationException($"Notices:TimeoutSeconds must be from 1 to 300 (was {settings.TimeoutSeconds}).");
        }
        services.AddSingleton(settings);
        services.AddSingleton(new NoticePolicy(settings.Enabled));
        services.AddHttpClient(NoticeGateway.ClientName, client => client.Timeout = TimeSpan.FromSeconds(settings.TimeoutSeconds));
        services.AddSingleton(sp => new NoticeGateway(sp.GetRequiredService<IHttpClientFactory>(), settings, templates,
            sp.GetRequiredService<NodaTime.IClock>()));
        return services;
    }

    /// <summary>The durable queue notices go out on, and the waits between a failed attempt and the next.</summary>
    public static void RouteCitizenNotices(this WolverineOptions opts, NoticeSettings settings)
    {
        opts.PublishMessage<DeliverCitizenNotice>().ToLocalQueue(CitizenNoticeHandler.Queue);
        opts.Policies.OnException<NoticeNotTakenException>().ScheduleRetry([.. settings.RetryDelays.Select(s => TimeSpan.FromSeconds(s))]);
    }
}

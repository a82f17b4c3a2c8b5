using CityCase.Domain.Cases;
using CityCase.Domain.Notices;
using CityCase.Domain.Reference;
using CityCase.Engine.Cases;
using CityCase.Engine.Privacy;
using CityCase.Engine.Sla;
using JasperFx.Events;
using Marten;
using JasperFx;
using Microsoft.Extensions.Logging;
using NodaTime;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Runtime.Handlers;

namespace CityCase.Engine.Notices;

/// <summary>
/// Send notice <paramref name="NoticeId"/> of case <paramref name="CaseId"/> through the gateway. Enrolled in Wolverine's
/// durable outbox in the very transaction that appends the case's <see cref="CitizenNoticeQueued"/>: both are committed or
/// neither, and a node that dies before sending leaves it in the inbox for a node to send after. It holds no personal data:
/// the phone is opened from the case when the notice is sent.
/// </summary>
public sealed record DeliverCitizenNotice(Guid CaseId, string NoticeId, NotificationKind Kind);

/// <summary>
/// Sends a queued notice and records the outcome on the case through the decider: <see cref="CitizenNotified"/> once the
/// gateway took it, <see cref="CitizenNoticeFailed"/> after the last attempt. Failed attempts are retried after the
/// configured waits (Wolverine schedules them in its durable inbox, so they survive restarts). Delivery is at least once:
/// a node that dies after the gateway took a notice and before recording it sends it again, with the same idempotency
/// key, and the receiver drops the repeat; the case records one delivery whatever happens.
/// </summary>
public static class CitizenNoticeHandler
{
    public const string Queue = "citizen-notices";

    /// <summary>The case moved on between reading and recording: read it again and record (the receiver drops the repeated send).</summary>
    public static void Configure(HandlerChain chain) =>
        chain.OnException<ConcurrencyException>().Or<EventStreamUnexpectedMaxEventIdException>()
            .RetryWithCooldown(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1));

    public static async Task Handle(DeliverCitizenNotice notice, Envelope envelope, IDocumentSession session, NoticeGateway gateway,
        NoticeSettings settings, CitizenVault vault, ReferenceData reference, CityCalendar calendar,
        IClock clock, ILogger<DeliverCitizenNotice> logger, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Case>(notice.CaseId, ct);
        if (stream.Aggregate is not { } state || !state.PendingNotices.ContainsKey(notice.NoticeId)) return; // answered already

        var failure = await TrySendAsync(notice, envelope, session, gateway, settings, vault, reference, logger, ct);
        CaseCommand outcome = failure is null
            ? new RecordNoticeDelivered(notice.NoticeId, settings.Channel)
            : new RecordNoticeFailed(notice.NoticeId, failure, envelope.Attempts);
        stream.AppendMany(CaseDecider.DecideAndFollow(state, outcome, CitizenNotices.Gateway, clock.GetCurrentInstant(), reference, calendar.Sla));
    }

    /// <summary>Null once the gateway took it; else why it finally failed. Throws to have a failed attempt retried.</summary>
    private static async Task<string?> TrySendAsync(DeliverCitizenNotice notice, Envelope envelope, IDocumentSession session,
        NoticeGateway gateway, NoticeSettings settings, CitizenVault vault, ReferenceData reference, ILogger logger, CancellationToken ct)
    {
        if (!settings.Enabled || gateway.Templates is not { } templates) return "no notification gateway is configured (Notices:WebhookUrl)";
        var view = await session.LoadAsync<CaseView>(notice.CaseId, ct);
        var phone = view?.Citizen is null ? null : (await vault.OpenAsync(view.Citizen, ct))?.Citizen?.Phone;
        if (view is null || string.IsNullOrWhiteSpace(phone)) return "the case holds no phone number to send to (none was given, or it was erased)";

        var language = string.IsNullOrWhiteSpace(settings.Language) ? templates.DefaultLanguage : settings.Language;
        var category = view.CategoryCode is { } code && reference.CategoriesByCode.TryGetValue(code, out var c) ? c.Name : null;
        var text = templates.Render(notice.Kind, language, view.Number, category);
        var queuedAt = envelope.SentAt.ToUniversalTime();
        try
        {
            await gateway.SendAsync(new NoticeMessage(notice.NoticeId, notice.Kind, view.Number, phone, language, text,
                Instant.FromDateTimeOffset(queuedAt)), ct);
            return null;
        }
        catch (NoticeNotTakenException e) when (envelope.Attempts < settings.MaxAttempts)
        {
            logger.LogWarning("Notice {NoticeId} of case {CaseNumber}: attempt {Attempt} of {Attempts} failed ({Reason}); retried later",
                notice.NoticeId, view.Number, envelope.Attempts, settings.MaxAttempts, e.Message);
            throw;
        }
        catch (NoticeNotTakenException e)
        {
            logger.LogError("Notice {NoticeId} of case {CaseNumber} failed after {Attempts} attempts: {Reason}",
                notice.NoticeId, view.Number, envelope.Attempts, e.Message);
            return $"{e.Message} (after {envelope.Attempts} attempts)";
        }
    }
}

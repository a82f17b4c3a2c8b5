using CityCase.Domain.Cases;
using NodaTime;

namespace CityCase.Domain.Notices;

/// <summary>
/// A notice to the citizen is to go out through the city's notification gateway (its SMS platform). <paramref name="NoticeId"/>
/// is the idempotency key the gateway receives with every attempt: the case's id and the notice's number on the case.
/// </summary>
public sealed record CitizenNoticeQueued(Guid CaseId, string NoticeId, NotificationKind Kind, Actor By, Instant At) : ICaseEvent;

/// <summary>The gateway did not take the notice after every retry: the citizen was not told (and the figures say so).</summary>
public sealed record CitizenNoticeFailed(Guid CaseId, string NoticeId, NotificationKind Kind, string Reason, int Attempts,
    Actor By, Instant At) : ICaseEvent;

/// <summary>An agent has a notice sent through the gateway (sendCitizenNotice), e.g. again after one failed.</summary>
public sealed record SendCitizenNotice(NotificationKind Kind) : CaseCommand;

/// <summary>The gateway took the notice (answered 2xx): it is recorded as <see cref="CitizenNotified"/>, once.</summary>
public sealed record RecordNoticeDelivered(string NoticeId, string Channel) : CaseCommand;

/// <summary>The gateway finally refused or could not be reached.</summary>
public sealed record RecordNoticeFailed(string NoticeId, string Reason, int Attempts) : CaseCommand;

/// <summary>Whether notices go out through a gateway at all (only when one is configured).</summary>
public sealed record NoticePolicy(bool GatewayConfigured)
{
    public static readonly NoticePolicy Off = new(false);
}

/// <summary>
/// When the citizen is told, stated once: a hotline case with a caller on record is told of its acceptance (立案) when it
/// is accepted, and of its completion and asked for the follow-up (回访) when it is closed. Pure, like the clocks: the
/// notices follow the decision, as <see cref="CitizenNoticeQueued"/> events appended with it.
/// </summary>
public static class CitizenNotices
{
    /// <summary>The user automatic notices are recorded by.</summary>
    public static readonly Actor Gateway = new("citycase-notices", "Citizen notices", "system");

    /// <summary>The notices that follow <paramref name="decided"/> on <paramref name="state"/>, when a gateway is configured.</summary>
    public static IReadOnlyList<object> Follow(Case state, IReadOnlyList<object> decided, NoticePolicy policy, Instant now)
    {
        if (!policy.GatewayConfigured || decided.Count == 0) return [];
        var after = decided.Aggregate(state, (s, e) => s.After(e));
        if (after.Source != CaseSource.Hotline || after.ReportedBy is null || after.CitizenErased) return [];
        var kinds = decided.SelectMany(e => e switch
        {
            CaseAccepted => [NotificationKind.Acceptance],
            CaseClosed => [NotificationKind.Completion, NotificationKind.FollowUp],
            _ => Array.Empty<NotificationKind>(),
        }).Where(kind => !after.Notified(kind) && !after.PendingNotices.ContainsValue(kind));
        return Queue(after, kinds, Gateway, now);
    }

    /// <summary>Queues notices of <paramref name="kinds"/>, numbered on from those the case has had.</summary>
    public static IReadOnlyList<object> Queue(Case state, IEnumerable<NotificationKind> kinds, Actor by, Instant now) =>
        kinds.Select((kind, i) => (object)new CitizenNoticeQueued(state.Id, $"{state.Id}:{state.NoticesQueued + i + 1}", kind, by, now)).ToList();
}

using CityCase.Api.Cases;
using CityCase.Api.GraphQL;
using CityCase.Api.Lifecycle;
using CityCase.Domain.Cases;
using CityCase.Domain.Notices;
using CityCase.Engine.Cases;
using GraphQL.Types;

namespace CityCase.Api.Notices;

public sealed class NoticeStatusType : EnumerationGraphType<NoticeStatus>
{
    public NoticeStatusType() => Name = "NoticeStatus";
}

public sealed class CaseNoticeType : ObjectGraphType<CaseNotice>
{
    public CaseNoticeType()
    {
        Name = "CaseNotice";
        Description = "A notice to the citizen sent through the notification gateway (the city's SMS platform), and how it went.";
        Field(x => x.Id).Description("The idempotency key the gateway receives with every attempt.");
        Field<NonNullGraphType<NotificationKindType>>("kind").Resolve(c => c.Source.Kind);
        Field<NonNullGraphType<NoticeStatusType>>("status").Resolve(c => c.Source.Status)
            .Description("QUEUED (being sent, retried on failure), DELIVERED (the gateway took it), FAILED (after the last attempt).");
        Field<NonNullGraphType<ActorType>>("queuedBy").Resolve(c => c.Source.QueuedBy);
        Field<NonNullGraphType<InstantGraphType>>("queuedAt").Resolve(c => c.Source.QueuedAt);
        Field<InstantGraphType>("deliveredAt").Resolve(c => c.Source.DeliveredAt);
        Field<InstantGraphType>("failedAt").Resolve(c => c.Source.FailedAt);
        Field(x => x.Attempts, nullable: true).Description("How many attempts were made, once it failed.");
        Field(x => x.FailureReason, nullable: true);
    }
}

/// <summary>Notices to citizens: the case's notices and the agent's mutation to send one through the gateway.</summary>
public static class NoticeFields
{
    public static void AddNoticesField(this ObjectGraphType<CaseView> caseType) =>
        caseType.Field<NonNullGraphType<ListGraphType<NonNullGraphType<CaseNoticeType>>>>("notices")
            .Description("Notices sent through the notification gateway, in the order they were queued (acceptance, completion and follow-up go automatically once a gateway is configured).")
            .Resolve(c => c.Source.Notices);

    public static void AddNoticeMutations(this ObjectGraphType mutation) =>
        mutation.CaseMutation("sendCitizenNotice",
            "Send the citizen a notice through the notification gateway (e.g. again after one failed); refused when no gateway is configured.",
            i => i.Field<NonNullGraphType<NotificationKindType>>("kind"),
            (input, _) => new SendCitizenNotice(input.Get<NotificationKind>("kind")));
}

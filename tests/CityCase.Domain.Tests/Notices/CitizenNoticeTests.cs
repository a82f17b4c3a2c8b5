using CityCase.Domain.Cases;
using CityCase.Domain.Notices;
using CityCase.Domain.Reference;
using static CityCase.Domain.Tests.Cases.CaseScenario;

namespace CityCase.Domain.Tests.Notices;

/// <summary>When the citizen is told, through the gateway, and how its answers are recorded: once.</summary>
public sealed class CitizenNoticeTests
{
    private static readonly NoticePolicy Gateway = new(true);

    private static IReadOnlyList<object> Follow(object[] history, params object[] decided) =>
        CitizenNotices.Follow(Case.From(history), decided, Gateway, Now);

    private static CitizenNoticeQueued Queued(int n, NotificationKind kind, Actor? by = null) =>
        new(Id, $"{Id}:{n}", kind, by ?? CitizenNotices.Gateway, Now);

    [Fact]
    public void Acceptance_queues_the_acceptance_notice_and_closing_the_completion_and_the_follow_up()
    {
        Assert.Equal([Describe(Queued(1, NotificationKind.Acceptance))], Follow([Reported], Accepted).Select(Describe));
        Assert.Equal([Describe(Queued(2, NotificationKind.Completion)), Describe(Queued(3, NotificationKind.FollowUp))],
            Follow([.. AtVerified, Queued(1, NotificationKind.Acceptance)], Closed).Select(Describe));
    }

    [Fact]
    public void Nothing_is_queued_without_a_gateway_without_a_caller_or_for_a_citizen_told_already()
    {
        Assert.Empty(CitizenNotices.Follow(Case.From([Reported]), [Accepted], NoticePolicy.Off, Now));
        Assert.Empty(Follow([Reported with { ReportedBy = null }], Accepted));
        Assert.Empty(Follow([Reported with { Source = CaseSource.Patrol }], Accepted));
        Assert.DoesNotContain(Follow([.. AtVerified, new CitizenNotified(Id, NotificationKind.Completion, "phone", Agent, T0)], Closed)
            .OfType<CitizenNoticeQueued>(), q => q.Kind == NotificationKind.Completion);
    }

    [Fact]
    public void A_delivery_is_recorded_once_however_often_the_gateway_answers_it()
    {
        object[] queued = [.. AtAccepted, Queued(1, NotificationKind.Acceptance)];
        var delivered = Assert.IsType<CitizenNotified>(Assert.Single(
            CaseDecider.Decide(Case.From(queued), new RecordNoticeDelivered($"{Id}:1", "SMS"), CitizenNotices.Gateway, Now, Rules)));
        Assert.Equal((NotificationKind.Acceptance, $"{Id}:1", "SMS"), (delivered.Kind, delivered.NoticeId, delivered.Channel));
        Assert.True(Case.From([.. queued, delivered]).AcceptanceNotified);
        Assert.Empty(CaseDecider.Decide(Case.From([.. queued, delivered]), new RecordNoticeDelivered($"{Id}:1", "SMS"), CitizenNotices.Gateway, Now, Rules));
        Assert.Empty(CaseDecider.Decide(Case.From([.. queued, delivered]), new RecordNoticeFailed($"{Id}:1", "late", 3), CitizenNotices.Gateway, Now, Rules));
    }

    [Fact]
    public void A_failure_is_recorded_the_citizen_is_not_notified_and_an_agent_may_send_it_again()
    {
        object[] queued = [.. AtAccepted, Queued(1, NotificationKind.Acceptance)];
        var failed = Assert.IsType<CitizenNoticeFailed>(Assert.Single(
            CaseDecider.Decide(Case.From(queued), new RecordNoticeFailed($"{Id}:1", "the gateway answered 500", 6), CitizenNotices.Gateway, Now, Rules)));
        Assert.Equal((NotificationKind.Acceptance, 6), (failed.Kind, failed.Attempts));
        var state = Case.From([.. queued, failed]);
        Assert.False(state.AcceptanceNotified);
        Assert.Empty(state.PendingNotices);

        var again = CaseDecider.Decide(state, new SendCitizenNotice(NotificationKind.Acceptance), Agent, Now, Rules, notices: Gateway);
        Assert.Equal([Describe(Queued(2, NotificationKind.Acceptance, Agent))], again.Select(Describe));
    }

    [Fact]
    public void An_agent_cannot_send_without_a_gateway_twice_at_once_or_before_its_step()
    {
        Given(AtAccepted).WhenDecided(new SendCitizenNotice(NotificationKind.Acceptance), Agent)
            .ThenRefused(ErrorCodes.ValidationFailed, "Notices:WebhookUrl");
        var pending = Case.From([.. AtAccepted, Queued(1, NotificationKind.Acceptance)]);
        var onItsWay = Assert.ThrowsAny<DomainException>(() =>
            CaseDecider.Decide(pending, new SendCitizenNotice(NotificationKind.Acceptance), Agent, Now, Rules, notices: Gateway));
        Assert.Contains("already on its way", onItsWay.Message);
        Assert.Equal(ErrorCodes.InvalidTransition, Assert.ThrowsAny<DomainException>(() =>
            CaseDecider.Decide(Case.From(AtAccepted), new SendCitizenNotice(NotificationKind.FollowUp), Agent, Now, Rules, notices: Gateway)).Code);
    }

    // ---- templates ----

    private const string Good = """
        {"defaultLanguage": "zh", "templates": [
          {"kind": "ACCEPTANCE", "language": "zh", "text": "已受理 {caseNumber}"},
          {"kind": "COMPLETION", "language": "zh", "text": "已办结 {caseNumber}（{categoryName}）"},
          {"kind": "FOLLOW_UP", "language": "zh", "text": "请评价 {caseNumber}"}]}
        """;

    [Fact]
    public void Templates_render_the_case_number_and_category_and_the_sample_file_parses()
    {
        var templates = NoticeTemplates.Parse(Good);
        Assert.Equal("已办结 20261124-00001（路灯）", templates.Render(NotificationKind.Completion, "zh", "20261124-00001", "路灯"));
        var sample = NoticeTemplates.Parse(File.ReadAllText(Path.Combine(Reference.ReferenceSample.Folder, NoticeTemplates.File)));
        Assert.True(sample.Covers("zh") && sample.Covers("en"));
    }

    [Theory]
    [InlineData("{caseNumber}", "{name}", "the text names {name}, but a notice may name only {caseNumber}, {categoryName}")]
    [InlineData("\"FOLLOW_UP\", \"language\": \"zh\"", "\"FOLLOW_UP\", \"language\": \"en\"", "no FOLLOW_UP template in the default language 'zh'")]
    [InlineData("\"COMPLETION\"", "\"ACCEPTANCE\"", "this kind and language has a text already")]
    [InlineData("\"ACCEPTANCE\"", "\"NEWS\"", "kind 'NEWS' is not one of ACCEPTANCE, COMPLETION, FOLLOW_UP")]
    [InlineData("\"defaultLanguage\": \"zh\"", "\"defaultLanguage\": \"Chinese!\"", "is not a language tag")]
    public void Bad_templates_are_refused_naming_the_problem(string replace, string with, string problem)
    {
        var error = Assert.Throws<ReferenceDataException>(() => NoticeTemplates.Parse(Good.Replace(replace, with)));
        Assert.Equal(NoticeTemplates.File, error.File);
        Assert.Contains(problem, error.Problem);
    }
}

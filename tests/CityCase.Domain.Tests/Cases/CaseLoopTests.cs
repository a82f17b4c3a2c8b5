using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Time;
using NodaTime;
using static CityCase.Domain.Tests.Cases.CaseScenario;
using static CityCase.Domain.Tests.Time.TimeSamples;

namespace CityCase.Domain.Tests.Cases;

/// <summary>
/// The loop as cities run it, given/when/then: approvals of returns and suspensions, the close review, supervision with
/// levels, answers and automatic escalation, reopening and notes. Every refusal appends nothing (the decider throws).
/// </summary>
public sealed class CaseLoopTests
{
    private const string Invalid = ErrorCodes.InvalidTransition;
    private const string Validation = ErrorCodes.ValidationFailed;
    private const string Forbidden = ErrorCodes.Forbidden;

    private static readonly ReturnRequested AskedToReturn = new(Id, "D02", "Water main, not road", Roads, T0);
    private static readonly SuspensionRequested AskedToSuspend = new(Id, "D02", "Road works until Friday", Roads, T0);

    // --- return (回退): a request the dispatcher decides --------------------------------------------------

    [Fact]
    public void An_approved_return_sends_the_case_back_with_the_departments_reason()
    {
        Given([.. AtInProgress, AskedToReturn]).WhenDecided(new DecideReturn(true, " fine "), Dispatcher)
            .ThenEvents(new ReturnDecided(Id, true, "fine", Dispatcher, Now), new CaseReturned(Id, "D02", "Water main, not road", Dispatcher, Now));
        var after = Case.From([.. AtInProgress, AskedToReturn, new ReturnDecided(Id, true, null, Dispatcher, Now),
            new CaseReturned(Id, "D02", "x", Dispatcher, Now)]);
        Assert.Equal((CaseStatus.Accepted, null, 1, null), (after.Status, after.DepartmentCode, after.Returns, after.PendingReturn));
    }

    [Fact]
    public void A_denied_return_leaves_the_case_with_the_department()
    {
        Given([.. AtInProgress, AskedToReturn]).WhenDecided(new DecideReturn(false, "It is your road"), Dispatcher)
            .ThenEvents(new ReturnDecided(Id, false, "It is your road", Dispatcher, Now));
        var after = Case.From([.. AtInProgress, AskedToReturn, new ReturnDecided(Id, false, null, Dispatcher, Now)]);
        Assert.Equal((CaseStatus.InProgress, "D02", 0, null), (after.Status, after.DepartmentCode, after.Returns, after.PendingReturn));
    }

    [Fact]
    public void A_second_return_request_waits_for_the_first() =>
        Given([.. AtInProgress, AskedToReturn]).WhenDecided(new ReturnCase("again"), Roads).ThenRefused(Invalid, "already awaiting");

    [Fact]
    public void Without_a_request_there_is_no_return_to_decide() =>
        Given(AtInProgress).WhenDecided(new DecideReturn(true, null), Dispatcher).ThenRefused(Invalid, "no return request");

    [Fact]
    public void Returns_are_limited_per_case()
    {
        object[] twice =
        [
            .. AtDispatched, new CaseReturned(Id, "D02", "x", Dispatcher, T0), new CaseDispatched(Id, "D05", false, Dispatcher, T0),
            new CaseReturned(Id, "D05", "y", Dispatcher, T0), Dispatched,
        ];
        Given(twice).WhenDecided(new ReturnCase("not ours either"), Roads).ThenRefused(Invalid, "returned 2 time(s)", "City:Loop:MaxReturns");
        Given(twice).WhenDecided(new ReturnCase("not ours either"), Roads, Now, Policy with { Loop = new LoopRules { MaxReturns = 3 } })
            .ThenEvents(new ReturnRequested(Id, "D02", "not ours either", Roads, Now));
    }

    // --- suspension (挂账): asked for by the department, decided by a dispatcher ---------------------------

    [Fact]
    public void The_department_asks_for_a_suspension_and_its_clocks_run_meanwhile()
    {
        Given(AtInProgress).WhenDecided(new RequestSuspension("Road works until Friday"), Roads)
            .ThenEvents(new SuspensionRequested(Id, "D02", "Road works until Friday", Roads, Now));
        Assert.False(Case.From([.. AtInProgress, AskedToSuspend]).Suspended);
    }

    [Fact]
    public void An_approved_suspension_holds_the_case_with_the_departments_reason() =>
        Given([.. AtInProgress, AskedToSuspend]).WhenDecided(new DecideSuspension(true, null), Dispatcher)
            .ThenEvents(new SuspensionDecided(Id, true, null, Dispatcher, Now), new CaseSuspended(Id, "Road works until Friday", Dispatcher, Now));

    [Fact]
    public void A_denied_suspension_leaves_the_case_running()
    {
        Given([.. AtInProgress, AskedToSuspend]).WhenDecided(new DecideSuspension(false, "Work round it"), Dispatcher)
            .ThenEvents(new SuspensionDecided(Id, false, "Work round it", Dispatcher, Now));
        var after = Case.From([.. AtInProgress, AskedToSuspend, new SuspensionDecided(Id, false, null, Dispatcher, Now)]);
        Assert.Equal((false, null), (after.Suspended, after.PendingSuspension));
    }

    [Fact]
    public void Only_the_department_holding_the_case_asks_for_its_suspension() =>
        Given(AtInProgress).WhenDecided(new RequestSuspension("x"), Water).ThenRefused(Forbidden, "D02");

    [Fact]
    public void Without_a_request_there_is_no_suspension_to_decide() =>
        Given(AtInProgress).WhenDecided(new DecideSuspension(true, null), Dispatcher).ThenRefused(Invalid, "no suspension request");

    [Fact]
    public void Suspensions_asked_for_or_direct_are_limited_per_case()
    {
        object[] twice = [.. AtInProgress, Suspended, new CaseResumed(Id, "x", Dispatcher, T0), Suspended, new CaseResumed(Id, "y", Dispatcher, T0)];
        Given(twice).WhenDecided(new RequestSuspension("once more"), Roads).ThenRefused(Invalid, "suspended 2 time(s)", "City:Loop:MaxSuspensions");
        Given(twice).WhenDecided(new SuspendCase("once more"), Dispatcher).ThenRefused(Invalid, "City:Loop:MaxSuspensions");
    }

    // --- the city's review before closing (结案审核) ---------------------------------------------------------

    private static readonly object[] CoverVerified =
        [Reported, Accepted with { CategoryCode = "0101" }, Dispatched with { DepartmentCode = "D05" }, Signed with { DepartmentCode = "D05" },
         Disposed with { DepartmentCode = "D05" }, Verified];

    private static readonly ClosureReviewed Approved = new(Id, true, null, Supervisor, T0);

    [Fact]
    public void A_marked_category_is_not_closed_before_the_review() =>
        Given(CoverVerified).WhenDecided(new CloseCase(), Dispatcher).ThenRefused(Invalid, "结案审核", "supervisor", "reviewClosure");

    [Fact]
    public void The_reviewer_approves_and_the_case_may_then_be_closed()
    {
        Given(CoverVerified).WhenDecided(new ReviewClosure(true, "Checked on the map"), Supervisor)
            .ThenEvents(new ClosureReviewed(Id, true, "Checked on the map", Supervisor, Now));
        Given([.. CoverVerified, Approved]).WhenDecided(new CloseCase(), Dispatcher).ThenEvents(new CaseClosed(Id, Dispatcher, Now));
        Given([.. CoverVerified, Approved]).WhenDecided(new ReviewClosure(true, null), Supervisor).ThenRefused(Invalid, "already approved");
    }

    [Fact]
    public void Only_the_role_the_city_chose_reviews()
    {
        Given(CoverVerified).WhenDecided(new ReviewClosure(true, null), Dispatcher).ThenRefused(Forbidden, "City:Loop:CloseReviewRole");
        Given(CoverVerified).WhenDecided(new ReviewClosure(true, null), Dispatcher, Now, Policy with { Loop = new LoopRules { CloseReviewRole = Roles.Dispatcher } })
            .ThenEvents(new ClosureReviewed(Id, true, null, Dispatcher, Now));
    }

    [Fact]
    public void A_category_the_catalogue_does_not_mark_needs_no_review() =>
        Given(AtVerified).WhenDecided(new ReviewClosure(true, null), Supervisor).ThenRefused(Validation, "0201", "needs no review");

    [Fact]
    public void The_review_comes_after_verification() =>
        Given(CoverVerified[..^1]).WhenDecided(new ReviewClosure(true, null), Supervisor).ThenRefused(Invalid, "verification");

    [Fact]
    public void A_denied_review_says_why_and_sends_the_case_back_for_rework()
    {
        Given(CoverVerified).WhenDecided(new ReviewClosure(false, null), Supervisor).ThenRefused(Validation, "note");
        var after = Case.From([.. CoverVerified, new ClosureReviewed(Id, false, "Cover still rocks", Supervisor, T0)]);
        Assert.Equal((CaseStatus.InProgress, false, "D05"), (after.Status, after.Verified, after.DepartmentCode));
    }

    // --- supervision (督办) with levels and answers -----------------------------------------------------------

    private static readonly CaseSupervised Chased = new(Id, "Answer by noon", Supervisor, T0, SupervisionLevel.Supervision, Local("2026-11-24 12:00"), "D02");

    [Fact]
    public void A_supervisor_names_the_level_and_the_reply_time() =>
        Given(AtInProgress).WhenDecided(new SuperviseCase("Listed", SupervisionLevel.PublicListing, 2), Supervisor)
            .ThenEvents(new CaseSupervised(Id, "Listed", Supervisor, Now, SupervisionLevel.PublicListing, Local("2026-11-24 15:30"), "D02"));

    [Fact]
    public void A_reply_time_must_be_working_hours_above_zero() =>
        Given(AtInProgress).WhenDecided(new SuperviseCase("x", null, 0), Supervisor).ThenRefused(Validation, "replyWorkingHours");

    [Fact]
    public void The_department_answers_in_time()
    {
        Given([.. AtInProgress, Chased]).WhenDecided(new AnswerSupervision("Crew on site at 11"), Roads, Local("2026-11-24 11:00"))
            .ThenEvents(new SupervisionAnswered(Id, "D02", "Crew on site at 11", [1], 0, Roads, Local("2026-11-24 11:00")));
        Assert.Empty(Case.From([.. AtInProgress, Chased, new SupervisionAnswered(Id, "D02", "x", [1], 0, Roads, T0)]).OpenSupervisions);
    }

    [Fact]
    public void An_answer_after_the_deadline_is_late_and_answers_every_open_supervision() =>
        Given([.. AtInProgress, Chased, Chased with { ReplyDueAt = Local("2026-11-25 12:00"), Level = SupervisionLevel.Reminder }])
            .WhenDecided(new AnswerSupervision("Done"), Roads, Local("2026-11-24 13:00"))
            .ThenEvents(new SupervisionAnswered(Id, "D02", "Done", [1, 2], 1, Roads, Local("2026-11-24 13:00")));

    [Fact]
    public void Only_the_department_holding_the_case_answers()
    {
        Given([.. AtInProgress, Chased]).WhenDecided(new AnswerSupervision("x"), Water).ThenRefused(Forbidden, "D02");
        Given([.. AtInProgress, Chased]).WhenDecided(new AnswerSupervision("x"), Dispatcher).ThenRefused(Forbidden, "the department answers");
        Given([.. AtAccepted, Chased with { DepartmentCode = null }]).WhenDecided(new AnswerSupervision("Dispatching now"), Dispatcher)
            .ThenEvents(new SupervisionAnswered(Id, null, "Dispatching now", [1], 0, Dispatcher, Now));
    }

    [Fact]
    public void Without_an_open_supervision_there_is_nothing_to_answer() =>
        Given(AtInProgress).WhenDecided(new AnswerSupervision("x"), Roads).ThenRefused(Invalid, "no supervision");

    [Fact]
    public void An_answer_needs_words() =>
        Given([.. AtInProgress, Chased]).WhenDecided(new AnswerSupervision(" "), Roads).ThenRefused(Validation, "reply");

    [Fact]
    public void Supervisions_recorded_before_levels_read_as_supervision_without_a_deadline() =>
        Assert.Equal([new OpenSupervision(1, SupervisionLevel.Supervision, null)],
            Case.From([.. AtInProgress, new CaseSupervised(Id, "old", Supervisor, T0)]).OpenSupervisions);

    // --- automatic escalation ------------------------------------------------------------------------------

    private static readonly Instant Due = Local("2026-11-24 17:00");

    private static readonly ClockStarted DisposalClock =
        new(Id, ClockKind.Disposal, T0, Local("2026-11-24 16:00"), Due, new Limit(7, LimitUnit.WorkingHours), CaseClocks.Timekeeper, T0);

    private static readonly object[] DisposalRunning = [.. AtInProgress, DisposalClock];

    private static Instant Step(double hours) => Policy.Calendar.AddWorkingTime(Due, Duration.FromHours(hours));

    private static CaseSupervised Raised(SupervisionLevel level, Instant at, SupervisionLevel? next, Instant? nextAt) =>
        new(Id, $"disposal clock red since {Due}: raised to {Naming.ScreamingSnake(level.ToString())}", CaseSupervision.Escalator, at, level,
            Policy.Calendar.AddWorkingTime(at, Duration.FromHours(8)), "D02", true, next, nextAt);

    [Fact]
    public void A_red_disposal_clock_raises_a_reminder_by_itself_naming_the_next_step()
    {
        var at = Local("2026-11-24 17:05");
        Given(DisposalRunning).WhenFollowed(new RecordSlaLight(ClockKind.Disposal, Light.Red), CaseClocks.Timekeeper, at)
            .ThenEvents(new SlaLightChanged(Id, ClockKind.Disposal, Light.Red, Due, CaseClocks.Timekeeper, at),
                Raised(SupervisionLevel.Reminder, at, SupervisionLevel.Supervision, Step(8)));
    }

    [Fact]
    public void Without_automatic_escalation_the_red_light_is_only_a_light()
    {
        var at = Local("2026-11-24 17:05");
        Given(DisposalRunning).WhenFollowed(new RecordSlaLight(ClockKind.Disposal, Light.Red), CaseClocks.Timekeeper, at,
                Policy with { Loop = new LoopRules { AutomaticEscalation = false } })
            .ThenEvents(new SlaLightChanged(Id, ClockKind.Disposal, Light.Red, Due, CaseClocks.Timekeeper, at));
    }

    [Fact]
    public void The_next_level_is_raised_at_its_step_once()
    {
        var reminder = Raised(SupervisionLevel.Reminder, Local("2026-11-24 17:05"), SupervisionLevel.Supervision, Step(8));
        object[] red = [.. DisposalRunning, new SlaLightChanged(Id, ClockKind.Disposal, Light.Red, Due, CaseClocks.Timekeeper, Due), reminder];
        var escalate = new EscalateSupervision(SupervisionLevel.Supervision);

        Given(red).WhenDecided(escalate, CaseSupervision.Escalator, Step(8) - Duration.FromMinutes(1)).ThenEvents();
        var raised = Raised(SupervisionLevel.Supervision, Step(8), SupervisionLevel.PublicListing, Step(24));
        Given(red).WhenDecided(escalate, CaseSupervision.Escalator, Step(8)).ThenEvents(raised);
        Given(red).WhenDecided(escalate, CaseSupervision.Escalator, Step(8), Policy with { Loop = new LoopRules { AutomaticEscalation = false } })
            .ThenEvents(); // turned off: the steps on record wait
        // A repeat (a second node, a restart) decides nothing; the top level has no step after it.
        Given([.. red, raised]).WhenDecided(escalate, CaseSupervision.Escalator, Step(9)).ThenEvents();
        var listed = Raised(SupervisionLevel.PublicListing, Step(24), null, null);
        Given([.. red, raised]).WhenDecided(new EscalateSupervision(SupervisionLevel.PublicListing), CaseSupervision.Escalator, Step(24))
            .ThenEvents(listed);
        Assert.Null(Case.From([.. red, raised, listed]).Escalation);
    }

    [Fact]
    public void A_moved_deadline_moves_the_next_step_once_and_a_suspended_or_disposed_case_is_not_escalated()
    {
        var reminder = Raised(SupervisionLevel.Reminder, Local("2026-11-24 17:05"), SupervisionLevel.Supervision, Step(8));
        var later = Local("2026-11-26 17:00");
        var moved = new ClockDeadlineMoved(Id, ClockKind.Disposal, Due, later, "extension of 16 working hours", CaseClocks.Timekeeper, Due);
        object[] extended = [.. DisposalRunning, reminder, moved];
        var newStep = Policy.Calendar.AddWorkingTime(later, Duration.FromHours(8));
        var escalate = new EscalateSupervision(SupervisionLevel.Supervision);

        var rescheduled = new SupervisionEscalationRescheduled(Id, SupervisionLevel.Supervision, newStep, CaseSupervision.Escalator, Step(8));
        Given(extended).WhenDecided(escalate, CaseSupervision.Escalator, Step(8)).ThenEvents(rescheduled);
        Given([.. extended, rescheduled]).WhenDecided(escalate, CaseSupervision.Escalator, Step(8)).ThenEvents();

        Given([.. DisposalRunning, reminder, Suspended]).WhenDecided(escalate, CaseSupervision.Escalator, Step(8)).ThenEvents();
        Given([.. DisposalRunning, reminder, new ClockStopped(Id, ClockKind.Disposal, CaseClocks.Timekeeper, Due)])
            .WhenDecided(escalate, CaseSupervision.Escalator, Step(8)).ThenEvents();
    }

    // --- reopening (重办) and notes ---------------------------------------------------------------------------

    private static readonly object[] ClosedAtNow = [.. AtVerified, Closed with { At = Now }];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_dissatisfied_follow_up_within_the_window_reopens_the_case_to_its_department(int score) =>
        Given(ClosedAtNow).WhenDecided(new RecordSatisfaction(score, "Still broken"), Agent, Now + Duration.FromDays(3))
            .ThenEvents(new SatisfactionRecorded(Id, score, "Still broken", Agent, Now + Duration.FromDays(3)),
                new CaseReopened(Id, "D02", $"follow-up score {score}", score, Agent, Now + Duration.FromDays(3)));

    [Fact]
    public void A_satisfied_or_late_follow_up_is_only_recorded()
    {
        Given(ClosedAtNow).WhenDecided(new RecordSatisfaction(3, null), Agent, Now)
            .ThenEvents(new SatisfactionRecorded(Id, 3, null, Agent, Now));
        var late = Now + Duration.FromDays(16);
        Given(ClosedAtNow).WhenDecided(new RecordSatisfaction(1, null), Agent, late).ThenEvents(new SatisfactionRecorded(Id, 1, null, Agent, late));
    }

    [Fact]
    public void A_complaint_that_the_problem_persists_reopens_within_the_window_only()
    {
        Given(ClosedAtNow).WhenDecided(new ReopenCase("Pothole is back"), Agent, Now + Duration.FromDays(15))
            .ThenEvents(new CaseReopened(Id, "D02", "Pothole is back", null, Agent, Now + Duration.FromDays(15)));
        Given(ClosedAtNow).WhenDecided(new ReopenCase("Pothole is back"), Agent, Now + Duration.FromDays(16))
            .ThenRefused(Invalid, "15 days", "City:Loop:ReopenWithinDays");
        Given(AtVerified).WhenDecided(new ReopenCase("x"), Agent).ThenRefused(Invalid, "ReopenCase", "Disposed", "Closed");
        Given(ClosedAtNow).WhenDecided(new ReopenCase(" "), Agent).ThenRefused(Validation, "reason");
    }

    [Fact]
    public void A_reopened_case_is_with_the_department_again_with_fresh_disposal_and_citizen_clocks()
    {
        var at = Local("2026-11-26 10:00");
        var events = CaseDecider.DecideAndFollow(Case.From([.. ClosedAtNow, new SatisfactionRecorded(Id, 2, null, Agent, Now)]),
            new ReopenCase("Still broken"), Agent, at, Rules, Policy);
        Assert.Equal(["CaseReopened", "ClockStarted Disposal", "ClockStarted Citizen"],
            events.Select(e => e is ClockStarted c ? $"ClockStarted {c.Clock}" : e.GetType().Name));
        var reopened = Case.From([.. ClosedAtNow, .. events]);
        Assert.Equal((CaseStatus.InProgress, "D02", null, false, 1), (reopened.Status, reopened.DepartmentCode, reopened.Satisfaction,
            reopened.Verified, reopened.Reopenings));
        Assert.Equal(Policy.Calendar.Deadline(at, 3, LimitUnit.WorkingDays), reopened.Clocks[ClockKind.Disposal].Deadline);
    }

    [Fact]
    public void A_reopened_open311_request_gets_a_fresh_citizen_clock_as_a_hotline_case_does()
    {
        // The citizen clock is a citizen's report's (CaseSourceExtensions.IsCitizenReport), at filing and at reopening alike.
        object[] open311 = [.. ClosedAtNow.Select(e => e is CaseReported r ? r with { Source = CaseSource.Open311 } : e)];
        var events = CaseDecider.DecideAndFollow(Case.From(open311), new ReopenCase("Still broken"), Agent, Local("2026-11-26 10:00"), Rules, Policy);
        Assert.Equal(["CaseReopened", "ClockStarted Disposal", "ClockStarted Citizen"],
            events.Select(e => e is ClockStarted c ? $"ClockStarted {c.Clock}" : e.GetType().Name));
    }

    [Fact]
    public void Anyone_acting_on_the_case_adds_a_note_whatever_its_status()
    {
        Given(AtClosed).WhenDecided(new AddCaseNote(" Caller rang again "), Agent).ThenEvents(new CaseNoteAdded(Id, "Caller rang again", Agent, Now));
        Given([.. AtInProgress, Suspended]).WhenDecided(new AddCaseNote("Crew booked"), Roads).ThenEvents(new CaseNoteAdded(Id, "Crew booked", Roads, Now));
        Given(AtInProgress).WhenDecided(new AddCaseNote("x"), Water).ThenRefused(Forbidden, "D02");
        Given(AtInProgress).WhenDecided(new AddCaseNote(""), Agent).ThenRefused(Validation, "text");
    }
}

/// <summary>The city's loop settings are checked at start-up, each refusal naming its setting.</summary>
public sealed class LoopRulesTests
{
    [Theory]
    [InlineData("MaxReturns")]
    [InlineData("MaxSuspensions")]
    [InlineData("CloseReviewRole")]
    [InlineData("SupervisionReplyWorkingHours")]
    [InlineData("Escalation")]
    [InlineData("ReopenWithinDays")]
    public void A_setting_that_cannot_be_used_is_refused_naming_it(string setting)
    {
        var rules = setting switch
        {
            "MaxReturns" => new LoopRules { MaxReturns = -1 },
            "MaxSuspensions" => new LoopRules { MaxSuspensions = -1 },
            "CloseReviewRole" => new LoopRules { CloseReviewRole = Roles.Analyst },
            "SupervisionReplyWorkingHours" => new LoopRules { SupervisionReplyWorkingHours = 0 },
            "Escalation" => new LoopRules
            {
                EscalationSteps = new Dictionary<SupervisionLevel, double>
                {
                    [SupervisionLevel.Reminder] = 0, [SupervisionLevel.Supervision] = 24, [SupervisionLevel.PublicListing] = 8,
                },
            },
            _ => new LoopRules { ReopenWithinDays = -1 },
        };
        Assert.Contains("City:Loop:" + setting, Assert.Throws<ArgumentException>(() => rules.Validated()).Message);
    }

    [Fact]
    public void The_defaults_are_usable_and_the_levels_follow_each_other()
    {
        var rules = LoopRules.Default.Validated();
        Assert.Equal(SupervisionLevel.Supervision, rules.StepAfter(SupervisionLevel.Reminder));
        Assert.Equal(SupervisionLevel.PublicListing, rules.StepAfter(SupervisionLevel.Supervision));
        Assert.Null(rules.StepAfter(SupervisionLevel.PublicListing));
    }
}

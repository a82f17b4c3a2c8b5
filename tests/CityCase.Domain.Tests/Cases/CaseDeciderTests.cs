using CityCase.Domain;
using CityCase.Domain.Cases;
using static CityCase.Domain.Tests.Cases.CaseScenario;

namespace CityCase.Domain.Tests.Cases;

/// <summary>Every transition of the closed loop and every refusal, given/when/then, no database.</summary>
public sealed class CaseDeciderTests
{
    private const string Invalid = ErrorCodes.InvalidTransition;
    private const string Validation = ErrorCodes.ValidationFailed;
    private const string Forbidden = ErrorCodes.Forbidden;

    // --- filing (立案) -------------------------------------------------------------------------------

    [Fact]
    public void A_reported_case_is_accepted_with_its_category_and_urgency() =>
        Given(Reported).WhenDecided(new AcceptCase("0201", Urgency.Urgent, " checked by phone "), Dispatcher)
            .ThenEvents(new CaseAccepted(Id, "0201", Urgency.Urgent, "checked by phone", Dispatcher, Now));

    [Fact]
    public void Accepting_needs_a_well_formed_category() =>
        Given(Reported).WhenDecided(new AcceptCase("2", Urgency.Normal, null), Dispatcher).ThenRefused(Validation, "categoryCode");

    [Fact]
    public void An_accepted_case_cannot_be_accepted_again() =>
        Given(AtAccepted).WhenDecided(new AcceptCase("0201", Urgency.Normal, null), Dispatcher)
            .ThenRefused(Invalid, "AcceptCase", "Accepted", "Reported");

    [Fact]
    public void A_reported_case_is_rejected_with_a_reason() =>
        Given(Reported).WhenDecided(new RejectCase("Not a city matter"), Agent)
            .ThenEvents(new CaseRejected(Id, "Not a city matter", Agent, Now));

    [Fact]
    public void Rejecting_needs_a_reason() =>
        Given(Reported).WhenDecided(new RejectCase(" "), Agent).ThenRefused(Validation, "reason");

    [Fact]
    public void A_dispatched_case_cannot_be_rejected() =>
        Given(AtDispatched).WhenDecided(new RejectCase("late"), Agent).ThenRefused(Invalid, "RejectCase", "Dispatched");

    // --- dispatch, signing, return (派遣, 签收, 回退) --------------------------------------------------

    [Fact]
    public void Accepting_needs_a_category_from_the_catalogue() =>
        Given(Reported).WhenDecided(new AcceptCase("9999", Urgency.Normal, null), Dispatcher).ThenRefused(Validation, "9999", "catalogue");

    [Fact]
    public void An_accepted_case_is_dispatched_to_the_department_the_dispatcher_names() =>
        Given(AtAccepted).WhenDecided(new DispatchCase("D05"), Dispatcher)
            .ThenEvents(new CaseDispatched(Id, "D05", false, Dispatcher, Now));

    [Fact]
    public void Without_a_department_the_dispatch_rules_choose() =>
        Given(AtAccepted).WhenDecided(new DispatchCase(null), Dispatcher)
            .ThenEvents(new CaseDispatched(Id, "D02", true, Dispatcher, Now));

    [Fact]
    public void A_street_rule_beats_the_category_rule() =>
        Given(Reported with { Place = new CasePlace("310101002001001", "310101002001", "310101002") }, Accepted)
            .WhenDecided(new DispatchCase(null), Dispatcher)
            .ThenEvents(new CaseDispatched(Id, "D07", true, Dispatcher, Now));

    [Fact]
    public void Without_a_rule_the_dispatcher_must_name_a_department() =>
        Given(Reported, Accepted with { CategoryCode = "1101" }).WhenDecided(new DispatchCase(" "), Dispatcher)
            .ThenRefused(Validation, "1101", "departmentCode");

    [Fact]
    public void An_unknown_department_is_refused() =>
        Given(AtAccepted).WhenDecided(new DispatchCase("D99"), Dispatcher).ThenRefused(Validation, "D99");

    [Fact]
    public void A_reported_case_cannot_be_dispatched_before_it_is_filed() =>
        Given(Reported).WhenDecided(new DispatchCase("D02"), Dispatcher).ThenRefused(Invalid, "DispatchCase", "Reported", "Accepted");

    [Fact]
    public void A_dispatched_case_cannot_be_dispatched_twice() =>
        Given(AtDispatched).WhenDecided(new DispatchCase("D03"), Dispatcher).ThenRefused(Invalid, "Dispatched");

    [Fact]
    public void The_department_signs_for_its_case() =>
        Given(AtDispatched).WhenDecided(new SignCase(), Roads).ThenEvents(new CaseSigned(Id, "D02", Roads, Now));

    [Fact]
    public void Another_department_may_not_sign() =>
        Given(AtDispatched).WhenDecided(new SignCase(), Water).ThenRefused(Forbidden, "D02", "D05");

    [Fact]
    public void An_accepted_case_cannot_be_signed() =>
        Given(AtAccepted).WhenDecided(new SignCase(), Roads).ThenRefused(Invalid, "SignCase", "Accepted");

    [Theory]
    [MemberData(nameof(DispatchedOrInProgress))]
    public void The_department_asks_to_return_a_case_that_is_not_theirs(object[] history) =>
        Given(history).WhenDecided(new ReturnCase("Water main, not road"), Roads)
            .ThenEvents(new ReturnRequested(Id, "D02", "Water main, not road", Roads, Now));

    public static TheoryData<object[]> DispatchedOrInProgress => new() { AtDispatched, AtInProgress };

    [Fact]
    public void A_return_sends_the_case_back_to_awaiting_dispatch() =>
        Assert.Equal((CaseStatus.Accepted, null),
            Case.From([.. AtInProgress, new CaseReturned(Id, "D02", "x", Roads, T0)]) is var c
                ? (c.Status, c.DepartmentCode) : default);

    [Fact]
    public void Another_department_may_not_return_the_case() =>
        Given(AtInProgress).WhenDecided(new ReturnCase("no"), Water).ThenRefused(Forbidden);

    [Fact]
    public void A_disposed_case_cannot_be_returned() =>
        Given(AtDisposed).WhenDecided(new ReturnCase("late"), Roads).ThenRefused(Invalid, "ReturnCase", "Disposed");

    // --- extension (延期) ----------------------------------------------------------------------------

    [Fact]
    public void The_department_asks_for_more_time() =>
        Given(AtInProgress).WhenDecided(new RequestExtension(8, "Parts on order"), Roads)
            .ThenEvents(new ExtensionRequested(Id, 8, "Parts on order", Roads, Now));

    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    [InlineData(100000)]
    [InlineData(double.NaN)]
    public void An_extension_needs_a_sensible_number_of_hours(double hours) =>
        Given(AtInProgress).WhenDecided(new RequestExtension(hours, "x"), Roads).ThenRefused(Validation, "extraWorkingHours");

    [Fact]
    public void Only_one_extension_request_may_wait_at_a_time() =>
        Given([.. AtInProgress, new ExtensionRequested(Id, 8, "x", Roads, T0)])
            .WhenDecided(new RequestExtension(4, "more"), Roads).ThenRefused(Invalid, "already");

    [Fact]
    public void A_dispatched_case_not_yet_signed_cannot_be_extended() =>
        Given(AtDispatched).WhenDecided(new RequestExtension(4, "x"), Roads).ThenRefused(Invalid, "RequestExtension", "Dispatched");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_dispatcher_decides_the_pending_extension(bool approve) =>
        Given([.. AtInProgress, new ExtensionRequested(Id, 8, "x", Roads, T0)])
            .WhenDecided(new DecideExtension(approve, "ok"), Dispatcher)
            .ThenEvents(new ExtensionDecided(Id, approve, 8, "ok", Dispatcher, Now));

    [Fact]
    public void A_decided_extension_is_no_longer_pending_approved_or_not()
    {
        var approved = Case.From([.. AtInProgress, new ExtensionRequested(Id, 8, "x", Roads, T0),
            new ExtensionDecided(Id, true, 8, null, Dispatcher, T0)]);
        var refused = Case.From([.. AtInProgress, new ExtensionRequested(Id, 8, "x", Roads, T0),
            new ExtensionDecided(Id, false, 8, null, Dispatcher, T0)]);
        Assert.Null(approved.PendingExtension);
        Assert.Null(refused.PendingExtension);
    }

    [Fact]
    public void There_is_nothing_to_decide_without_a_request() =>
        Given(AtInProgress).WhenDecided(new DecideExtension(true, null), Dispatcher).ThenRefused(Invalid, "no extension request");

    // --- suspend and resume (挂账, 恢复) ------------------------------------------------------------

    [Fact]
    public void A_case_in_progress_is_suspended() =>
        Given(AtInProgress).WhenDecided(new SuspendCase("Road works until spring"), Dispatcher)
            .ThenEvents(new CaseSuspended(Id, "Road works until spring", Dispatcher, Now));

    [Fact]
    public void A_suspended_case_cannot_be_suspended_again() =>
        Given([.. AtInProgress, Suspended]).WhenDecided(new SuspendCase("again"), Dispatcher).ThenRefused(Invalid, "suspended");

    [Fact]
    public void A_suspended_case_is_resumed() =>
        Given([.. AtInProgress, Suspended]).WhenDecided(new ResumeCase("Works finished"), Dispatcher)
            .ThenEvents(new CaseResumed(Id, "Works finished", Dispatcher, Now));

    [Fact]
    public void A_case_that_is_not_suspended_cannot_be_resumed() =>
        Given(AtInProgress).WhenDecided(new ResumeCase("x"), Dispatcher).ThenRefused(Invalid, "not suspended");

    [Theory]
    [MemberData(nameof(BlockedWhileSuspended))]
    public void A_suspended_case_is_frozen_until_resumed(CaseCommand command) =>
        Given([.. AtInProgress, Suspended]).WhenDecided(command, Roads).ThenRefused(Invalid, "suspended", "InProgress");

    public static TheoryData<CaseCommand> BlockedWhileSuspended => new()
    {
        new ReportDisposal("done", []), new ReturnCase("x"), new RequestExtension(2, "x"),
    };

    [Fact]
    public void A_closed_case_cannot_be_suspended() =>
        Given(AtClosed).WhenDecided(new SuspendCase("x"), Dispatcher).ThenRefused(Invalid, "SuspendCase", "Closed");

    // --- disposal, verification, rework, close (处置, 核查, 返工, 结案) -----------------------------------

    [Fact]
    public void The_department_reports_its_disposal() =>
        Given(AtInProgress).WhenDecided(new ReportDisposal(" Pothole filled ", ["https://photos.example/1.jpg"]), Roads)
            .ThenEvents(new DisposalReported(Id, "D02", "Pothole filled", ["https://photos.example/1.jpg"], Roads, Now));

    [Fact]
    public void A_disposal_needs_a_result_and_real_photo_links()
    {
        Given(AtInProgress).WhenDecided(new ReportDisposal("", []), Roads).ThenRefused(Validation, "result");
        Given(AtInProgress).WhenDecided(new ReportDisposal("done", ["file:///etc/passwd"]), Roads).ThenRefused(Validation, "photoUrls");
    }

    [Fact]
    public void A_case_not_signed_for_cannot_be_disposed() =>
        Given(AtDispatched).WhenDecided(new ReportDisposal("done", []), Roads).ThenRefused(Invalid, "ReportDisposal", "Dispatched", "InProgress");

    [Fact]
    public void Another_department_may_not_report_the_disposal() =>
        Given(AtInProgress).WhenDecided(new ReportDisposal("done", []), Water).ThenRefused(Forbidden);

    [Fact]
    public void An_inspector_verifies_the_disposal_on_site() =>
        Given(AtDisposed).WhenDecided(new VerifyDisposal(true, "Looks good"), Inspector)
            .ThenEvents(new DisposalVerified(Id, true, "Looks good", Inspector, Now));

    [Fact]
    public void A_failed_verification_sends_the_case_back_to_the_same_department_for_rework()
    {
        Given(AtDisposed).WhenDecided(new VerifyDisposal(false, "Still a hole"), Inspector)
            .ThenEvents(new DisposalVerified(Id, false, "Still a hole", Inspector, Now));
        var reworked = Case.From([.. AtDisposed, new DisposalVerified(Id, false, null, Inspector, T0)]);
        Assert.Equal((CaseStatus.InProgress, "D02", false), (reworked.Status, reworked.DepartmentCode, reworked.Verified));
    }

    [Fact]
    public void A_verified_disposal_is_not_verified_twice() =>
        Given(AtVerified).WhenDecided(new VerifyDisposal(true, null), Inspector).ThenRefused(Invalid, "already been verified");

    [Fact]
    public void A_case_in_progress_cannot_be_verified() =>
        Given(AtInProgress).WhenDecided(new VerifyDisposal(true, null), Inspector).ThenRefused(Invalid, "VerifyDisposal", "InProgress");

    [Fact]
    public void A_verified_case_is_closed() =>
        Given(AtVerified).WhenDecided(new CloseCase(), Dispatcher).ThenEvents(new CaseClosed(Id, Dispatcher, Now));

    [Fact]
    public void A_disposal_not_yet_verified_cannot_be_closed() =>
        Given(AtDisposed).WhenDecided(new CloseCase(), Dispatcher).ThenRefused(Invalid, "CloseCase", "not passed verification");

    [Fact]
    public void A_case_in_progress_cannot_be_closed() =>
        Given(AtInProgress).WhenDecided(new CloseCase(), Dispatcher).ThenRefused(Invalid, "CloseCase", "InProgress", "Disposed");

    // --- void, supervise (作废, 督办) -----------------------------------------------------------------

    [Theory]
    [MemberData(nameof(OpenHistories))]
    public void An_open_case_can_be_voided(object[] history) =>
        Given(history).WhenDecided(new VoidCase("Filed twice by mistake"), Dispatcher)
            .ThenEvents(new CaseVoided(Id, "Filed twice by mistake", Dispatcher, Now));

    public static TheoryData<object[]> OpenHistories => new()
    {
        new object[] { Reported }, AtAccepted, AtDispatched, AtInProgress, AtDisposed, (object[])[.. AtInProgress, Suspended],
    };

    [Theory]
    [MemberData(nameof(EndedHistories))]
    public void An_ended_case_cannot_be_voided_or_supervised(object[] history, string status)
    {
        Given(history).WhenDecided(new VoidCase("x"), Dispatcher).ThenRefused(Invalid, "VoidCase", status);
        Given(history).WhenDecided(new SuperviseCase("x"), Supervisor).ThenRefused(Invalid, "SuperviseCase", status);
    }

    public static TheoryData<object[], string> EndedHistories => new()
    {
        { AtClosed, "Closed" },
        { [Reported, new CaseRejected(Id, "x", Agent, T0)], "Rejected" },
        { [Reported, new CaseVoided(Id, "x", Dispatcher, T0)], "Voided" },
        { [Reported, new CaseMerged(Id, Guid.NewGuid(), Agent, T0)], "Merged" },
    };

    [Fact]
    public void A_supervisor_escalates_an_open_case()
    {
        // 12:00 Tuesday plus the city's 8 working hours: 13:30-17:30, then Wednesday 08:30-12:00 and half an hour more.
        Given(AtInProgress).WhenDecided(new SuperviseCase("Overdue: answer by noon"), Supervisor)
            .ThenEvents(new CaseSupervised(Id, "Overdue: answer by noon", Supervisor, Now, SupervisionLevel.Supervision,
                Time.TimeSamples.Local("2026-11-25 14:00"), "D02"));
    }

    [Fact]
    public void A_supervision_needs_a_note() =>
        Given(AtInProgress).WhenDecided(new SuperviseCase(""), Supervisor).ThenRefused(Validation, "note");

    // --- merge (合并) ---------------------------------------------------------------------------------

    private static Case Original(params object[] after) =>
        Case.From([Reported with { CaseId = OriginalId, CaseNumber = "20261124-00000" }, .. after]);

    private static readonly Guid OriginalId = Guid.Parse("0198a0c4-2222-7000-8000-000000000002");

    [Fact]
    public void A_duplicate_is_folded_into_the_open_original_and_its_reporter_linked()
    {
        var original = Original(new CaseAccepted(OriginalId, "0201", Urgency.Normal, null, Dispatcher, T0));
        var onDuplicate = new CaseMerged(Id, OriginalId, Agent, Now);
        Given(Reported).WhenDecided(new MergeCase(original), Agent).ThenEvents(onDuplicate);
        new When(original).WhenDecided(new RecordMergedDuplicate(Case.From([Reported])), Agent)
            .ThenEvents(new DuplicateMerged(OriginalId, Id, "20261124-00001", Caller, Agent, Now)); // still sealed under the duplicate's key
        Assert.Equal((CaseStatus.Merged, false), Case.From([Reported, onDuplicate]) is var m ? (m.Status, m.IsOpen) : default);
    }

    [Fact]
    public void A_case_cannot_be_merged_into_itself()
    {
        Given(Reported).WhenDecided(new MergeCase(Case.From([Reported])), Agent).ThenRefused(Validation, "itself");
    }

    [Fact]
    public void A_case_cannot_be_merged_into_a_closed_one()
    {
        var closedOriginal = Original(new CaseVoided(OriginalId, "x", Dispatcher, T0));
        Given(Reported).WhenDecided(new MergeCase(closedOriginal), Agent).ThenRefused(Invalid, "Voided");
    }

    [Fact]
    public void A_dispatched_case_cannot_be_merged_away()
    {
        Given(AtDispatched).WhenDecided(new MergeCase(Original()), Agent)
            .ThenRefused(Invalid, "MergeCase is not possible while case 20261124-00001 is Dispatched");
    }

    // --- the citizen (回访) ----------------------------------------------------------------------------

    [Fact]
    public void The_citizen_is_told_of_the_acceptance_once() 
    {
        Given(AtAccepted).WhenDecided(new NotifyCitizen(NotificationKind.Acceptance, "SMS"), Agent)
            .ThenEvents(new CitizenNotified(Id, NotificationKind.Acceptance, "SMS", Agent, Now));
        Given([.. AtAccepted, new CitizenNotified(Id, NotificationKind.Acceptance, "SMS", Agent, T0)])
            .WhenDecided(new NotifyCitizen(NotificationKind.Acceptance, "phone"), Agent).ThenRefused(Invalid, "already");
    }

    [Fact]
    public void The_citizen_cannot_be_told_of_an_acceptance_before_it_happens() =>
        Given(Reported).WhenDecided(new NotifyCitizen(NotificationKind.Acceptance, "SMS"), Agent).ThenRefused(Invalid, "Reported");

    [Fact]
    public void The_citizen_is_told_of_the_completion_once_closed()
    {
        Given(AtClosed).WhenDecided(new NotifyCitizen(NotificationKind.Completion, "phone"), Agent)
            .ThenEvents(new CitizenNotified(Id, NotificationKind.Completion, "phone", Agent, Now));
        Given(AtVerified).WhenDecided(new NotifyCitizen(NotificationKind.Completion, "phone"), Agent).ThenRefused(Invalid, "Disposed", "Closed");
    }

    [Fact]
    public void Only_hotline_cases_have_a_citizen_to_notify() =>
        Given(Reported with { Source = CaseSource.Patrol }, Accepted)
            .WhenDecided(new NotifyCitizen(NotificationKind.Acceptance, "SMS"), Agent).ThenRefused(Validation, "hotline");

    [Fact]
    public void The_follow_up_score_is_recorded_once_for_a_closed_case()
    {
        Given(AtClosed).WhenDecided(new RecordSatisfaction(5, "Quick!"), Agent)
            .ThenEvents(new SatisfactionRecorded(Id, 5, "Quick!", Agent, Now));
        Given([.. AtClosed, new SatisfactionRecorded(Id, 4, null, Agent, T0)])
            .WhenDecided(new RecordSatisfaction(5, null), Agent).ThenRefused(Invalid, "already");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void A_score_is_from_1_to_5(int score) =>
        Given(AtClosed).WhenDecided(new RecordSatisfaction(score, null), Agent).ThenRefused(Validation, "score");

    [Fact]
    public void Satisfaction_waits_for_the_close() =>
        Given(AtInProgress).WhenDecided(new RecordSatisfaction(5, null), Agent).ThenRefused(Invalid, "RecordSatisfaction", "InProgress");

    // --- sensors ----------------------------------------------------------------------------------------

    private static readonly CaseReported SensorReported = Reported with
    {
        Source = CaseSource.Sensor, ReportedBy = null, Sensor = new SensorAlarm("S-17", "WATER_LEVEL", "HIGH"),
    };

    [Fact]
    public void A_repeat_alarm_folds_into_the_open_case()
    {
        Given(SensorReported).WhenDecided(new RaiseSensorAlarm("S-17", "WATER_LEVEL", SensorReported.Location, " HIGH "), Agent)
            .ThenEvents(new SensorAlarmRepeated(Id, "HIGH", Agent, Now));
    }

    [Fact]
    public void Repeats_received_together_fold_into_the_open_case_as_one_event_that_counts_them()
    {
        Given(SensorReported).WhenDecided(new FoldSensorAlarms(" CRITICAL ", 3, ["k-1", "k-3"], T0), Agent)
            .ThenEvents(new SensorAlarmRepeated(Id, "CRITICAL", Agent, Now, 3, ["k-1", "k-3"], T0));
        Given(SensorReported).WhenDecided(new FoldSensorAlarms("HIGH", 0, [], T0), Agent).ThenRefused(Validation, "at least one alarm");
        Given(Reported).WhenDecided(new FoldSensorAlarms("HIGH", 1, [], T0), Agent).ThenRefused(Validation, "not raised by a sensor");
    }

    [Fact]
    public void A_repeat_stored_before_folds_counted_them_reads_as_one_alarm()
    {
        // As the store has it (camelCase, NodaTime as ISO text), written before count, keys and firstReceivedAt existed.
        var json = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        NodaTime.Serialization.SystemTextJson.Extensions.ConfigureForNodaTime(json, NodaTime.DateTimeZoneProviders.Tzdb);
        var old = System.Text.Json.JsonSerializer.Deserialize<SensorAlarmRepeated>(
            $$"""{"caseId":"{{Id}}","severity":"HIGH","by":{"userId":"gw-1","name":"gw-1","role":"device"},"at":"2026-11-24T01:00:00Z"}""", json)!;
        Assert.Equal((1, null, null), (old.Count, old.IdempotencyKeys, old.FirstReceivedAt));
    }

    [Fact]
    public void A_clear_signal_is_recorded_once()
    {
        Given(SensorReported).WhenDecided(new ClearSensorAlarm("S-17", "WATER_LEVEL"), Agent).ThenEvents(new SensorAlarmCleared(Id, Agent, Now));
        Given(SensorReported, new SensorAlarmCleared(Id, Agent, T0)).WhenDecided(new ClearSensorAlarm("S-17", "WATER_LEVEL"), Agent).ThenEvents();
    }

    [Fact]
    public void Only_a_sensor_case_can_be_cleared() =>
        Given(Reported).WhenDecided(new ClearSensorAlarm("S-17", "WATER_LEVEL"), Agent).ThenRefused(Validation, "sensor");

    // --- erasure of the citizen's data ----------------------------------------------------------------------

    private static readonly Actor Admin = new("root", "Root", Roles.Admin);

    [Fact]
    public void A_closed_cases_citizen_is_erased_with_who_when_and_why()
    {
        Given(AtClosed).WhenDecided(new EraseCitizenData("citizen asked, ticket 9"), Admin)
            .ThenEvents(new CitizenDataErased(Id, "citizen asked, ticket 9", Admin, Now));
        Given(Reported, new CaseRejected(Id, "not ours", Dispatcher, T0)).WhenDecided(new EraseCitizenData("retention"), Admin)
            .ThenEvents(new CitizenDataErased(Id, "retention", Admin, Now));
    }

    [Fact]
    public void An_open_cases_citizen_is_not_erased_while_the_case_needs_them() =>
        Given(AtInProgress).WhenDecided(new EraseCitizenData("asked"), Admin).ThenRefused(Invalid, "EraseCitizenData", "still open");

    [Fact]
    public void An_erasure_says_why() =>
        Given(AtClosed).WhenDecided(new EraseCitizenData(" "), Admin).ThenRefused(Validation, "reason");

    [Fact]
    public void A_case_without_a_citizen_has_nothing_to_erase() =>
        Given(SensorReported, new CaseVoided(Id, "test", Dispatcher, T0)).WhenDecided(new EraseCitizenData("asked"), Admin)
            .ThenRefused(Validation, "no citizen");

    [Fact]
    public void A_second_erasure_decides_nothing_so_it_is_recorded_once()
    {
        var erased = new CitizenDataErased(Id, "retention", Admin, T0);
        Given([.. AtClosed, erased]).WhenDecided(new EraseCitizenData("again"), Admin).ThenEvents();
        Assert.True(Case.From([.. AtClosed, erased]).CitizenErased);
    }

    // --- the fold ----------------------------------------------------------------------------------------

    [Fact]
    public void The_version_counts_the_events() => Assert.Equal(7, Case.From(AtClosed).Version);

    [Fact]
    public void A_history_must_start_with_the_report() =>
        Assert.Throws<ArgumentException>(() => Case.From([Accepted]));
}

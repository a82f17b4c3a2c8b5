using CityCase.Domain;
using CityCase.Domain.Cases;
using static CityCase.Domain.Tests.Cases.CaseScenario;

namespace CityCase.Domain.Tests.Cases;

/// <summary>Work for named people, given/when/then: verification by beat, assignment to workers, assisting departments (协办).</summary>
public sealed class CaseWorkTests
{
    private const string Invalid = ErrorCodes.InvalidTransition;
    private const string Validation = ErrorCodes.ValidationFailed;
    private const string Forbidden = ErrorCodes.Forbidden;

    private static readonly SlaPolicyWithBeats Beats = new();

    /// <summary>The scenario's grid is on insp-01's beat; elsewhere the fallback, insp-09, verifies.</summary>
    private sealed class SlaPolicyWithBeats
    {
        public readonly CityCase.Domain.Time.SlaPolicy WithBeat = Policy with
        {
            Loop = new LoopRules { InspectorOfGrid = new Dictionary<string, string> { [Reported.Place!.GridCode] = "insp-01" }, FallbackInspector = "insp-09" },
        };

        public readonly CityCase.Domain.Time.SlaPolicy FallbackOnly = Policy with { Loop = new LoopRules { FallbackInspector = "insp-09" } };
    }

    private static IEnumerable<string> Assigned(IReadOnlyList<object> events) =>
        events.OfType<VerificationAssigned>().Select(v => $"{v.InspectorUserId} {v.ByRule} {v.By.UserId}");

    [Fact]
    public void A_reported_disposal_goes_to_the_inspector_of_its_beat_or_else_the_fallback()
    {
        var report = new ReportDisposal("Filled", []);
        Assert.Equal(["insp-01 True citycase-work"],
            Assigned(CaseDecider.DecideAndFollow(Case.From(AtInProgress), report, Roads, Now, Rules, Beats.WithBeat)));
        Assert.Equal(["insp-09 True citycase-work"],
            Assigned(CaseDecider.DecideAndFollow(Case.From(AtInProgress), report, Roads, Now, Rules, Beats.FallbackOnly)));
        Assert.Empty(Assigned(CaseDecider.DecideAndFollow(Case.From(AtInProgress), report, Roads, Now, Rules, Policy)));
    }

    [Fact]
    public void A_dispatcher_gives_the_verification_to_another_inspector()
    {
        object[] assigned = [.. AtDisposed, new VerificationAssigned(Id, "insp-01", true, CaseWork.Assigner, T0)];
        Given(assigned).WhenDecided(new AssignVerification(" insp-02 "), Dispatcher)
            .ThenEvents(new VerificationAssigned(Id, "insp-02", false, Dispatcher, Now));
        Given(assigned).WhenDecided(new AssignVerification("insp-01"), Dispatcher).ThenRefused(Invalid, "already with insp-01");
        Given(AtVerified).WhenDecided(new AssignVerification("insp-02"), Dispatcher).ThenRefused(Invalid, "already been verified");
        Given(AtInProgress).WhenDecided(new AssignVerification("insp-02"), Dispatcher).ThenRefused(Invalid, "InProgress", "Disposed");
        Given(AtDisposed).WhenDecided(new AssignVerification(""), Dispatcher).ThenRefused(Validation, "inspectorUserId");
    }

    [Fact]
    public void The_department_gives_its_case_to_a_worker_and_a_reassignment_names_the_one_before()
    {
        Given(AtInProgress).WhenDecided(new AssignCase("rita-2", "Rita Two"), Roads)
            .ThenEvents(new CaseAssigned(Id, "D02", "rita-2", "Rita Two", null, Roads, Now));
        object[] withRita = [.. AtInProgress, new CaseAssigned(Id, "D02", "rita-2", null, null, Roads, T0)];
        Given(withRita).WhenDecided(new AssignCase("li-3", null), Roads).ThenEvents(new CaseAssigned(Id, "D02", "li-3", null, "rita-2", Roads, Now));
        Given(withRita).WhenDecided(new AssignCase("rita-2", null), Roads).ThenRefused(Invalid, "already with rita-2");
        Given(AtInProgress).WhenDecided(new AssignCase("wang-2", null), Water).ThenRefused(Forbidden, "D02");
        Given(AtDisposed).WhenDecided(new AssignCase("rita-2", null), Roads).ThenRefused(Invalid, "Disposed");
        Assert.Null(Case.From([.. withRita, new CaseReturned(Id, "D02", "x", Dispatcher, T0)]).Assignee);
    }

    [Fact]
    public void An_assisting_department_sees_and_notes_but_the_lead_alone_disposes()
    {
        Given(AtInProgress).WhenDecided(new AddAssistingDepartment("D05"), Dispatcher)
            .ThenEvents(new AssistingDepartmentAdded(Id, "D05", Dispatcher, Now));
        object[] assisted = [.. AtInProgress, new AssistingDepartmentAdded(Id, "D05", Dispatcher, T0)];
        Given(assisted).WhenDecided(new AddCaseNote("Valve shut at 10:00"), Water).ThenEvents(new CaseNoteAdded(Id, "Valve shut at 10:00", Water, Now));
        Given(assisted).WhenDecided(new ReportDisposal("Done", []), Water).ThenRefused(Forbidden, "D02");
        Given(assisted).WhenDecided(new AddAssistingDepartment("D05"), Dispatcher).ThenRefused(Invalid, "already assists");
        Given(AtInProgress).WhenDecided(new AddAssistingDepartment("D02"), Dispatcher).ThenRefused(Validation, "leads the case");
        Given(AtInProgress).WhenDecided(new AddAssistingDepartment("D99"), Dispatcher).ThenRefused(Validation, "D99");
        Given(AtAccepted).WhenDecided(new AddAssistingDepartment("D05"), Dispatcher).ThenRefused(Invalid, "Accepted");
    }
}

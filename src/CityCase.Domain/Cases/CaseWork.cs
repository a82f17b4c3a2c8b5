using CityCase.Domain.Time;
using NodaTime;
using static CityCase.Domain.Cases.CaseDecider;

namespace CityCase.Domain.Cases;

/// <summary>
/// Work for named people: a reported disposal's verification goes to the inspector of the case's beat (or the city's
/// fallback inspector), and a dispatcher may give it to another; the department holding a case gives it to one of its
/// workers; assisting departments (协办) join a dispatched case to see it and add notes, while the lead department
/// alone disposes. A task is a to-do, not a lock: any inspector may still verify (the handheld may be shared).
/// </summary>
public static class CaseWork
{
    /// <summary>The system actor that gives verifications to the beat's inspector.</summary>
    public static readonly Actor Assigner = new("citycase-work", "Task assigner", "system");

    /// <summary>A reported disposal's verification goes to the beat's inspector (or the fallback), recorded with the report.</summary>
    public static IEnumerable<object> Follow(Case before, IReadOnlyList<object> events, SlaPolicy policy, Instant now)
    {
        var state = before;
        foreach (var e in events)
        {
            state = state.After(e);
            if (e is not DisposalReported) continue;
            var inspector = state.Place is { } place && policy.Loop.InspectorOfGrid.TryGetValue(place.GridCode, out var beat)
                ? beat
                : policy.Loop.FallbackInspector;
            if (!string.IsNullOrWhiteSpace(inspector) && inspector != state.VerificationInspector)
                yield return new VerificationAssigned(state.Id, inspector, true, Assigner, now);
        }
    }

    public static VerificationAssigned AssignVerification(Case state, AssignVerification c, Actor by, Instant now)
    {
        var inspector = TextLimits.Required(c.InspectorUserId, "inspectorUserId", TextLimits.CitizenName);
        if (state.Verified) throw Refuse(state, c, "the disposal has already been verified; close the case");
        if (inspector == state.VerificationInspector) throw Refuse(state, c, $"the verification is already with {inspector}");
        return new VerificationAssigned(state.Id, inspector, false, by, now);
    }

    public static CaseAssigned Assign(Case state, AssignCase c, Actor by, Instant now)
    {
        var assignee = TextLimits.Required(c.AssigneeUserId, "assigneeUserId", TextLimits.CitizenName);
        if (assignee == state.Assignee) throw Refuse(state, c, $"the case is already with {assignee}");
        return new CaseAssigned(state.Id, state.DepartmentCode!, assignee, TextLimits.Optional(c.AssigneeName, "assigneeName", TextLimits.CitizenName),
            state.Assignee, by, now);
    }

    public static AssistingDepartmentAdded AddAssisting(Case state, AddAssistingDepartment c, Actor by, Instant now, ICaseRules rules)
    {
        var department = TextLimits.Required(c.DepartmentCode, "departmentCode", TextLimits.SensorField);
        if (!rules.IsKnownDepartment(department))
            throw new ValidationFailedException($"departmentCode '{department}' is not a known department");
        if (department == state.DepartmentCode)
            throw new ValidationFailedException($"department {department} leads the case; name another to assist it");
        if (state.AssistingDepartments.Contains(department)) throw Refuse(state, c, $"department {department} already assists");
        return new AssistingDepartmentAdded(state.Id, department, by, now);
    }

    /// <summary>The lead department, or one that assists: who may add notes as a department.</summary>
    public static bool WorksOn(Case state, Actor by) =>
        by.Department is { } d && (d == state.DepartmentCode || state.AssistingDepartments.Contains(d));
}

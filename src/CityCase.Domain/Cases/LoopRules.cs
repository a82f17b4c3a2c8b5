using CityCase.Domain.Time;

namespace CityCase.Domain.Cases;

/// <summary>
/// The city's rules for the loop's approvals, supervision and reopening (<c>City:Loop</c>); carried by the
/// <see cref="SlaPolicy"/> so that the decider stays pure. Every number is a default a city configures.
/// </summary>
public sealed record LoopRules
{
    public static readonly LoopRules Default = new();

    /// <summary>How many times a case may be returned (回退) by departments; a further request is refused.</summary>
    public int MaxReturns { get; init; } = 2;

    /// <summary>How many times a case may be suspended (挂账), by request or by a dispatcher; a further one is refused.</summary>
    public int MaxSuspensions { get; init; } = 2;

    /// <summary>The role that carries out the city-level review before closing (结案审核) of the cases the catalogue marks.</summary>
    public string CloseReviewRole { get; init; } = Roles.Supervisor;

    /// <summary>The working hours a department has to answer a supervision, unless the supervisor names others.</summary>
    public double SupervisionReplyWorkingHours { get; init; } = 8;

    /// <summary>Whether a red disposal clock raises a supervision by itself (<see cref="CaseSupervision.Escalator"/>).</summary>
    public bool AutomaticEscalation { get; init; } = true;

    /// <summary>
    /// The automatic escalation's steps: the working hours past the disposal deadline at which each level is raised
    /// (催办 when the clock turns red, then 督办, then 挂牌督办). Counted from the deadline in force, so an extension or
    /// time spent suspended moves them with it.
    /// </summary>
    public IReadOnlyDictionary<SupervisionLevel, double> EscalationSteps { get; init; } = new Dictionary<SupervisionLevel, double>
    {
        [SupervisionLevel.Reminder] = 0,
        [SupervisionLevel.Supervision] = 8,
        [SupervisionLevel.PublicListing] = 24,
    };

    /// <summary>How many days (natural) after closing a follow-up score of 1 or 2, or a complaint, reopens the case (重办).</summary>
    public int ReopenWithinDays { get; init; } = 15;

    /// <summary>Each grid's inspector (their beats, inspectors.json): who verifies a disposal there.</summary>
    public IReadOnlyDictionary<string, string> InspectorOfGrid { get; init; } = new Dictionary<string, string>();

    /// <summary>Who verifies where no beat holds the grid; none: the task waits for a dispatcher to assign it.</summary>
    public string? FallbackInspector { get; init; }

    /// <summary>The level after <paramref name="level"/> that has a step, or null at the top.</summary>
    public SupervisionLevel? StepAfter(SupervisionLevel level) =>
        EscalationSteps.Keys.Where(l => l > level).Order().Cast<SupervisionLevel?>().FirstOrDefault();

    /// <summary>Throws naming the setting when a rule cannot be used.</summary>
    public LoopRules Validated()
    {
        if (MaxReturns < 0) throw new ArgumentException($"City:Loop:MaxReturns must be 0 or more (got {MaxReturns}).");
        if (MaxSuspensions < 0) throw new ArgumentException($"City:Loop:MaxSuspensions must be 0 or more (got {MaxSuspensions}).");
        if (CloseReviewRole is not (Roles.Supervisor or Roles.Dispatcher or Roles.Auditor))
            throw new ArgumentException($"City:Loop:CloseReviewRole must be supervisor, dispatcher or auditor (got '{CloseReviewRole}').");
        if (!(SupervisionReplyWorkingHours > 0 && SupervisionReplyWorkingHours <= CaseDecider.MaxExtraWorkingHours))
            throw new ArgumentException($"City:Loop:SupervisionReplyWorkingHours must be more than 0 and at most {CaseDecider.MaxExtraWorkingHours} (got {SupervisionReplyWorkingHours}).");
        if (EscalationSteps.Values.Any(h => !(h >= 0 && h <= CaseDecider.MaxExtraWorkingHours)))
            throw new ArgumentException("City:Loop:Escalation steps must be working hours from 0 on.");
        var ordered = EscalationSteps.OrderBy(s => s.Key).Select(s => s.Value).ToList();
        if (ordered.Zip(ordered.Skip(1)).Any(p => p.Second < p.First))
            throw new ArgumentException("City:Loop:Escalation steps must not fall as the level rises (催办 ≤ 督办 ≤ 挂牌督办).");
        if (ReopenWithinDays < 0) throw new ArgumentException($"City:Loop:ReopenWithinDays must be 0 or more (got {ReopenWithinDays}).");
        return this;
    }
}

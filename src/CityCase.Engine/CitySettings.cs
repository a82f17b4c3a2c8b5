using CityCase.Engine.Assessment;
using CityCase.Engine.Audit;
using CityCase.Engine.Sla;
using JasperFx.Events.Daemon;

namespace CityCase.Engine;

/// <summary>Settings of one city's engine, bound from the <c>City</c> configuration section.</summary>
public sealed class CitySettings
{
    /// <summary>The city's time zone (IANA id); it decides which day a case number belongs to.</summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>The folder holding the city's reference data (grids, categories, departments, dispatch rules, calendar).</summary>
    public string ReferenceDirectory { get; set; } = "reference";

    /// <summary>The stage clocks' limits (disposal limits come from the category catalogue).</summary>
    public SlaLimitSettings Sla { get; set; } = new();

    /// <summary>The PostgreSQL schema that holds CityCase's documents and events.</summary>
    public string Schema { get; set; } = "citycase";

    /// <summary>
    /// How the async projections (the scorecards) run: <c>HotCold</c> (every node starts the same way; the nodes
    /// elect one leader through a PostgreSQL advisory lock, and another takes over when it dies), <c>Wolverine</c>
    /// (Wolverine's leader assigns each projection shard to a node and moves it when that node's heartbeat goes
    /// stale; every node starts the same way too), <c>Solo</c> (this node alone, for one node), or <c>Disabled</c>.
    /// </summary>
    public ProjectionDaemonMode ProjectionDaemon { get; set; } = ProjectionDaemonMode.HotCold;

    /// <summary>The loop's approvals, close review, supervision escalation and reopening (<c>City:Loop</c>).</summary>
    public Lifecycle.LoopSettings Loop { get; set; } = new();

    /// <summary>How the yearly calendar routine is watched (<c>City:Calendar</c>).</summary>
    public CalendarSettings Calendar { get; set; } = new();

    /// <summary>How cases are assessed: the composite score's weights and the hotline's notice limit.</summary>
    public ScorecardSettings Scorecard { get; set; } = new();

    /// <summary>How the audit trail's head is signed and published (<c>City:Audit</c>).</summary>
    public AuditSettings Audit { get; set; } = new();

    /// <summary>The key file that protects citizens' personal data, and how long it is kept after a case ends.</summary>
    public Privacy.PrivacySettings Privacy { get; set; } = new();
}

/// <summary>Who runs the async projections; see <see cref="CitySettings.ProjectionDaemon"/>.</summary>
public enum ProjectionDaemonMode
{
    Disabled,
    Solo,
    HotCold,
    Wolverine,
}

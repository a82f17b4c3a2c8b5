using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CityCase.Domain.Assessment;
using CityCase.Domain.Time;

namespace CityCase.Engine.Assessment;

/// <summary>The <c>City:Scorecard</c> section.</summary>
public sealed class ScorecardSettings
{
    /// <summary>The department composite score's weights (they must add up to 100).</summary>
    public CompositeWeightSettings Weights { get; set; } = new();

    /// <summary>How soon after the call the citizen must be told the case was accepted, in working days.</summary>
    public double AcceptanceNoticeWorkingDays { get; set; } = 1;

    /// <summary>
    /// The version of these rules. Changing a rule means giving it a new, higher version: a node with it builds that
    /// version's scorecards beside the active ones, and the reads move to it once it has caught up (README: "Changing a
    /// scorecard rule without downtime"). A node whose rules differ from those recorded for its version refuses to start.
    /// </summary>
    public int RulesVersion { get; set; } = 1;

    /// <summary>Who moves the reads to a newer version once it has caught up: this node by itself, or an admin (<c>switchScorecards</c>).</summary>
    public ScorecardSwitch Switch { get; set; } = ScorecardSwitch.Automatic;

    /// <summary>How cases are counted: on the city's calendar, with the inspectors' beats (grid → inspector).</summary>
    public AssessmentRules ToRules(BusinessCalendar calendar, IReadOnlyDictionary<string, string> inspectorOfGrid) =>
        new(calendar, inspectorOfGrid, new Limit(AcceptanceNoticeWorkingDays, LimitUnit.WorkingDays));

    /// <summary>These rules as one version of the scorecards, with the fingerprint that tells whether a version's rules changed.</summary>
    public ScorecardRulesInForce ToVersion(IReadOnlyDictionary<string, string> inspectorOfGrid)
    {
        if (RulesVersion < 1)
            throw new ArgumentException($"City:Scorecard:RulesVersion must be 1 or more (got {RulesVersion}).");
        var weights = Weights.ToWeights();
        // What the figures depend on besides the events and the calendar (which has its own yearly routine).
        // The weights added later (reopen, late answers) join the fingerprint only when used, so that a version recorded
        // before them keeps its fingerprint.
        object fingerprinted = weights.ReopenRate == 0 && weights.LateAnswerRate == 0
            ? new { weights.DisposalRate, weights.OnTimeDisposalRate, weights.ReworkRate, weights.OverdueRate, weights.ExtensionRate }
            : weights;
        var rules = JsonSerializer.Serialize(new
        {
            weights = fingerprinted,
            AcceptanceNoticeWorkingDays,
            beats = inspectorOfGrid.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => $"{b.Key}={b.Value}"),
        });
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rules)));
        return new ScorecardRulesInForce(RulesVersion, fingerprint, weights, AcceptanceNoticeWorkingDays, Switch);
    }
}

public enum ScorecardSwitch
{
    /// <summary>The node with the newer rules moves the reads to them as soon as their scorecards have caught up.</summary>
    Automatic,

    /// <summary>The newer version is built and kept up, and the reads move when an admin asks (<c>switchScorecards</c>).</summary>
    Manual,
}

/// <summary>This node's scorecard rules: their version, their fingerprint, and what the reads need of them.</summary>
public sealed record ScorecardRulesInForce(int Version, string Fingerprint, CompositeWeights Weights, double AcceptanceNoticeWorkingDays,
    ScorecardSwitch Switch);

public sealed class CompositeWeightSettings
{
    public double DisposalRate { get; set; } = 30;
    public double OnTimeDisposalRate { get; set; } = 20;
    public double ReworkRate { get; set; } = 20;
    public double OverdueRate { get; set; } = 20;
    public double ExtensionRate { get; set; } = 10;
    public double ReopenRate { get; set; }
    public double LateAnswerRate { get; set; }

    public CompositeWeights ToWeights() =>
        new CompositeWeights(DisposalRate, OnTimeDisposalRate, ReworkRate, OverdueRate, ExtensionRate)
            { ReopenRate = ReopenRate, LateAnswerRate = LateAnswerRate }.Validated();
}

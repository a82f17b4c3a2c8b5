namespace CityCase.Engine.Privacy;

/// <summary>The <c>City:Privacy</c> section: the key that protects citizens' personal data, and how long it is kept.</summary>
public sealed class PrivacySettings
{
    /// <summary>
    /// A file holding the city's privacy secret (32 random bytes in base64, e.g. <c>openssl rand -base64 32</c>), kept
    /// outside the database and the same on every node. Required outside Development; in Development the host
    /// generates one under <c>.citycase/</c>.
    /// </summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// Days after a case ends (closed, rejected, voided or merged) before its citizen's data is erased by itself;
    /// 0 keeps it until an admin erases it. One year by default: it covers the follow-up calls, complaints about the
    /// handling and appeals (reconsideration 60 days, litigation six months) and the year's assessment, and the
    /// scorecards keep only counts.
    /// </summary>
    public int RetentionDays { get; set; } = 365;

    /// <summary>How often each node looks for cases due for erasure; 0 or less: never (tests run a pass themselves).</summary>
    public double PollSeconds { get; set; } = 300;
}

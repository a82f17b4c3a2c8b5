namespace CityCase.Domain.Cases;

/// <summary>Where a case stands in the closed loop (see contract.md, "Case statuses").</summary>
public enum CaseStatus
{
    Reported,
    Accepted,
    Dispatched,
    InProgress,
    Disposed,
    Closed,
    Rejected,
    Voided,
    Merged,
}

/// <summary>How a case came in.</summary>
public enum CaseSource
{
    Hotline,
    Patrol,
    Sensor,

    /// <summary>A citizen's request through an Open311 GeoReport v2 partner (a citizens' app, another city's system).</summary>
    Open311,
}

public static class CaseStatuses
{
    /// <summary>Open means it still needs someone to act: not closed, rejected, voided or merged.</summary>
    public static bool IsOpen(this CaseStatus status) =>
        status is not (CaseStatus.Closed or CaseStatus.Rejected or CaseStatus.Voided or CaseStatus.Merged);

    /// <summary>
    /// A citizen reported it (by the hotline, or through an Open311 partner): there is a citizen to answer, so the
    /// citizen-facing clock runs, notices and satisfaction apply, and a filed one counts as a public report.
    /// </summary>
    public static bool IsCitizenReport(this CaseSource source) => source is CaseSource.Hotline or CaseSource.Open311;
}

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
}

public static class CaseStatuses
{
    /// <summary>Open means it still needs someone to act: not closed, rejected, voided or merged.</summary>
    public static bool IsOpen(this CaseStatus status) =>
        status is not (CaseStatus.Closed or CaseStatus.Rejected or CaseStatus.Voided or CaseStatus.Merged);
}

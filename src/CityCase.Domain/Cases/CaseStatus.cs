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

using System.Text.Json.Serialization;
using NodaTime;

namespace CityCase.Domain.Cases;

/// <summary>Every fact about a case says which case, who did it and when.</summary>
public interface ICaseEvent
{
    Guid CaseId { get; }
    Actor By { get; }
    Instant At { get; }
}

/// <summary>
/// The citizen who reported (called the hotline, or wrote through an Open311 partner, which may also give an email);
/// every part is optional (citizens may stay anonymous). Never stored as is.
/// </summary>
public sealed record Citizen(string? Name, string? Phone,
    // Left out when absent, so a hotline caller seals (and fingerprints) as before emails were known.
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? Email = null)
{
    /// <summary>Whether there is anything to record: a citizen who gave no name, phone or email stays anonymous.</summary>
    public bool IsEmpty => string.IsNullOrEmpty(Name) && string.IsNullOrEmpty(Phone) && string.IsNullOrEmpty(Email);

    // Messages and events are logged whole when a handler fails (Wolverine logs "Invocation of {message} failed",
    // e.g. while the database fails over): the caller's name and phone must not be in them.
    public override string ToString() => "Citizen { withheld }";
}

/// <summary>
/// A <see cref="Citizen"/> as events and read models hold it: sealed (AES-GCM, <paramref name="Nonce"/> and
/// <paramref name="Ciphertext"/> in base64) under the data key of case <paramref name="KeyId"/>, which lives in its own
/// table outside the events. Destroying that key erases the citizen everywhere the sealed form was copied, without
/// rewriting history. Sealing and opening happen at the edges (intake, the API), never in the decider.
/// </summary>
public sealed record SealedCitizen(Guid KeyId, string Nonce, string Ciphertext);

/// <summary>Where a case lies in the grid hierarchy: street → community → unit grid.</summary>
public sealed record CasePlace(string GridCode, string CommunityCode, string StreetCode);

public enum Urgency
{
    Normal,
    Urgent,
}

/// <summary>
/// A case was reported and recorded: what, where, who reported it, who recorded it, when and through
/// which channel. Always the first event of a case stream. An Open311 request also carries the link to its media
/// (<paramref name="MediaUrl"/>, kept as given) and the citizen's answers to its category's questions.
/// </summary>
public sealed record CaseReported(
    Guid CaseId,
    string CaseNumber,
    CaseSource Source,
    string Description,
    Location Location,
    string? CategoryCode,
    SealedCitizen? ReportedBy,
    Actor RecordedBy,
    Instant ReportedAt,
    CasePlace? Place = null,
    IReadOnlyList<string>? PhotoUrls = null,
    SensorAlarm? Sensor = null,
    // Left out of the stored event when absent: other channels' reports are stored as before Open311.
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? MediaUrl = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<Reference.AttributeAnswer>? Attributes = null) : ICaseEvent
{
    Actor ICaseEvent.By => RecordedBy;
    Instant ICaseEvent.At => ReportedAt;
}

/// <summary>The sensor and alarm behind a sensor case.</summary>
public sealed record SensorAlarm(string SensorId, string AlarmType, string Severity);

/// <summary>The case was filed (立案) with its category and urgency.</summary>
public sealed record CaseAccepted(Guid CaseId, string CategoryCode, Urgency Urgency, string? Note, Actor By, Instant At)
    : ICaseEvent;

/// <summary>The case was not filed (不予立案).</summary>
public sealed record CaseRejected(Guid CaseId, string Reason, Actor By, Instant At) : ICaseEvent;

/// <summary>The case was sent to a department (派遣); <paramref name="ByRule"/> when the dispatch rules chose it.</summary>
public sealed record CaseDispatched(Guid CaseId, string DepartmentCode, bool ByRule, Actor By, Instant At) : ICaseEvent;

/// <summary>The department signed for the case (签收) and is handling it.</summary>
public sealed record CaseSigned(Guid CaseId, string DepartmentCode, Actor By, Instant At) : ICaseEvent;

/// <summary>The department sent the case back (回退): not theirs. It awaits dispatch again.</summary>
public sealed record CaseReturned(Guid CaseId, string DepartmentCode, string Reason, Actor By, Instant At) : ICaseEvent;

public sealed record ExtensionRequested(Guid CaseId, double ExtraWorkingHours, string Reason, Actor By, Instant At)
    : ICaseEvent;

/// <summary>The dispatcher approved or refused the pending extension (延期).</summary>
public sealed record ExtensionDecided(Guid CaseId, bool Approved, double ExtraWorkingHours, string? Note, Actor By, Instant At)
    : ICaseEvent;

/// <summary>The case was put on hold (挂账); its clocks stop.</summary>
public sealed record CaseSuspended(Guid CaseId, string Reason, Actor By, Instant At) : ICaseEvent;

/// <summary>The hold ended (恢复); its clocks run again.</summary>
public sealed record CaseResumed(Guid CaseId, string Reason, Actor By, Instant At) : ICaseEvent;

/// <summary>The department reported what it did (处置反馈).</summary>
public sealed record DisposalReported(Guid CaseId, string DepartmentCode, string Result, IReadOnlyList<string> PhotoUrls,
    Actor By, Instant At) : ICaseEvent;

/// <summary>An inspector checked the disposal on site (核查): passed, or failed and sent back for rework (返工).</summary>
public sealed record DisposalVerified(Guid CaseId, bool Passed, string? Note, Actor By, Instant At) : ICaseEvent;

/// <summary>The case was closed (结案).</summary>
public sealed record CaseClosed(Guid CaseId, Actor By, Instant At) : ICaseEvent;

/// <summary>The case was voided (作废): filed by mistake; it leaves all rates.</summary>
public sealed record CaseVoided(Guid CaseId, string Reason, Actor By, Instant At) : ICaseEvent;

/// <summary>This case duplicated an open case and was folded into it.</summary>
public sealed record CaseMerged(Guid CaseId, Guid IntoCaseId, Actor By, Instant At) : ICaseEvent;

/// <summary>A duplicate report was folded into this case; its reporter (sealed under the duplicate's own key) is now linked here.</summary>
public sealed record DuplicateMerged(Guid CaseId, Guid DuplicateCaseId, string DuplicateNumber, SealedCitizen? Reporter,
    Actor By, Instant At) : ICaseEvent;

/// <summary>
/// A supervisor (or the automatic escalation, <paramref name="Automatic"/>) supervised the case (督办) at a
/// <paramref name="Level"/>; the department holding it (<paramref name="DepartmentCode"/>) must answer by
/// <paramref name="ReplyDueAt"/>. An automatic one names the level that follows if the case stays red, and when
/// (<paramref name="NextLevel"/>, <paramref name="NextAt"/>). Events stored before levels existed read as a 督办 with no
/// reply deadline.
/// </summary>
public sealed record CaseSupervised(Guid CaseId, string Note, Actor By, Instant At,
    SupervisionLevel Level = SupervisionLevel.Supervision, Instant? ReplyDueAt = null, string? DepartmentCode = null,
    bool Automatic = false, SupervisionLevel? NextLevel = null, Instant? NextAt = null) : ICaseEvent;

public enum NotificationKind
{
    Acceptance,
    Completion,

    /// <summary>The follow-up request (回访): how satisfied is the citizen with the handling?</summary>
    FollowUp,
}

/// <summary>
/// The citizen was told the case was accepted, or that it was done (or asked for the follow-up): by an agent, or through the
/// notification gateway, which took notice <paramref name="NoticeId"/> (null for an agent's; events stored before notices
/// went out through a gateway have none; an agent's is stored without it, as before).
/// </summary>
public sealed record CitizenNotified(Guid CaseId, NotificationKind Kind, string Channel, Actor By, Instant At,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NoticeId = null) : ICaseEvent;

/// <summary>Someone was shown the citizen's contact in full (who, when, why): the record of who looked.</summary>
public sealed record CitizenContactRevealed(Guid CaseId, string Reason, Actor By, Instant At) : ICaseEvent;

/// <summary>
/// The citizen's name and phone were erased (crypto-shredded: the case's data key was destroyed in the same
/// transaction), by an admin or by the retention period; who, when and why. Every other fact of the case stays.
/// </summary>
public sealed record CitizenDataErased(Guid CaseId, string Reason, Actor By, Instant At) : ICaseEvent;

/// <summary>The citizen's follow-up score (回访), 1 to 5.</summary>
public sealed record SatisfactionRecorded(Guid CaseId, int Score, string? Comment, Actor By, Instant At) : ICaseEvent;

/// <summary>
/// The same sensor raised the same alarm again while its case was open; folded in and counted. One event may stand for
/// <paramref name="Count"/> alarms the device sent close together (a storm is folded in batches; <paramref name="Severity"/>
/// is the last one's), with the idempotency keys of those that carried one and when the first of them was received.
/// Events stored before batches existed have neither and read as one alarm.
/// </summary>
public sealed record SensorAlarmRepeated(Guid CaseId, string Severity, Actor By, Instant At, int Count = 1,
    IReadOnlyList<string>? IdempotencyKeys = null, Instant? FirstReceivedAt = null) : ICaseEvent;

/// <summary>The sensor said its alarm is over.</summary>
public sealed record SensorAlarmCleared(Guid CaseId, Actor By, Instant At) : ICaseEvent;

using CityCase.Domain.Cases;
using NodaTime;

namespace CityCase.Domain.Evidence;

/// <summary>What a photo shows, by the step of the loop it belongs to.</summary>
public enum AttachmentKind
{
    /// <summary>The problem as reported: a citizen's, an inspector's or a device's snapshot.</summary>
    Report,

    /// <summary>The department's photo of the site before its work.</summary>
    BeforeDisposal,

    /// <summary>The department's photo of the work done (处置后).</summary>
    AfterDisposal,

    /// <summary>The inspector's photo of the on-site check (核查).</summary>
    Verification,
}

/// <summary>
/// One uploaded photo as a case records it: the upload's id, its kind, and the SHA-256 of its bytes, so the audit
/// chain that covers the event covers the evidence too (any change to the stored bytes no longer matches the hash).
/// <paramref name="TakenAt"/> and <paramref name="TakenWhere"/> are what the photo's own EXIF data says, when it says it.
/// </summary>
public sealed record EvidencePhoto(Guid AttachmentId, AttachmentKind Kind, string Sha256, string ContentType, long Size,
    Instant? TakenAt = null, Location? TakenWhere = null);

/// <summary>Photos were attached to the case, all of one kind (with a disposal report, a verification, or on their own).</summary>
public sealed record EvidenceAttached(Guid CaseId, AttachmentKind Kind, IReadOnlyList<EvidencePhoto> Photos, Actor By, Instant At)
    : ICaseEvent;

/// <summary>Attach uploaded photos of one kind to the case (attachEvidence).</summary>
public sealed record AttachEvidence(AttachmentKind Kind, IReadOnlyList<EvidencePhoto> Photos) : CaseCommand;

/// <summary>
/// Who may attach which kind, and when; and what a step needs. Stated once here for the decider.
/// </summary>
public static class EvidenceRules
{
    /// <summary>At most this many photos with one command.</summary>
    public const int MaxPhotosPerCommand = 20;

    /// <summary>The roles that may attach photos of a kind (admin may always).</summary>
    public static IReadOnlyList<string> RolesFor(AttachmentKind kind) => kind switch
    {
        AttachmentKind.Report => [Roles.Agent, Roles.Inspector, Roles.Device],
        AttachmentKind.BeforeDisposal or AttachmentKind.AfterDisposal => [Roles.Department],
        AttachmentKind.Verification => [Roles.Inspector],
        _ => [],
    };

    /// <summary>The statuses in which photos of a kind may be attached.</summary>
    public static IReadOnlyList<CaseStatus> StatusesFor(AttachmentKind kind) => kind switch
    {
        AttachmentKind.Report => [CaseStatus.Reported, CaseStatus.Accepted, CaseStatus.Dispatched, CaseStatus.InProgress],
        AttachmentKind.BeforeDisposal => [CaseStatus.Dispatched, CaseStatus.InProgress],
        AttachmentKind.AfterDisposal => [CaseStatus.InProgress],
        AttachmentKind.Verification => [CaseStatus.Disposed],
        _ => [],
    };

    /// <summary>The photos, checked: some, not too many, each of the kind named and no upload twice.</summary>
    public static IReadOnlyList<EvidencePhoto> Checked(AttachmentKind kind, IReadOnlyList<EvidencePhoto>? photos, bool required)
    {
        var list = photos ?? [];
        if (required && list.Count == 0) throw new ValidationFailedException("attachmentIds must name at least one uploaded photo");
        if (list.Count > MaxPhotosPerCommand)
            throw new ValidationFailedException($"attachmentIds may name at most {MaxPhotosPerCommand} photos (was {list.Count})");
        if (list.Any(p => p.Kind != kind))
            throw new ValidationFailedException($"every photo of this command must be of kind {Naming.ScreamingSnake(kind.ToString())}");
        if (list.Select(p => p.AttachmentId).Distinct().Count() != list.Count)
            throw new ValidationFailedException("attachmentIds names the same upload twice");
        return list;
    }
}

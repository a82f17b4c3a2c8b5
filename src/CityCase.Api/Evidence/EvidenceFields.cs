using CityCase.Api.Access;
using CityCase.Api.Cases;
using CityCase.Api.GraphQL;
using CityCase.Api.Lifecycle;
using CityCase.Domain;
using CityCase.Domain.Evidence;
using CityCase.Engine.Cases;
using CityCase.Engine.Evidence;
using GraphQL;
using GraphQL.Types;

namespace CityCase.Api.Evidence;

public sealed class AttachmentKindType : EnumerationGraphType<AttachmentKind>
{
    public AttachmentKindType()
    {
        Name = "AttachmentKind";
        Description = "What a photo shows: the problem as reported, the site before or after the department's work, or the inspector's check.";
    }
}

/// <summary>A photo of a case as a reader sees it, with the case it belongs to (its download URL names both).</summary>
public sealed record ShownAttachment(Guid CaseId, CaseAttachment Attachment);

public sealed class AttachmentType : ObjectGraphType<ShownAttachment>
{
    public AttachmentType()
    {
        Name = "Attachment";
        Description = "An uploaded photo attached to the case; its bytes' SHA-256 is in the case's event, so the audit chain covers it.";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Attachment.Id);
        Field<NonNullGraphType<AttachmentKindType>>("kind").Resolve(c => c.Source.Attachment.Kind);
        Field<NonNullGraphType<StringGraphType>>("contentType").Description("Read from the bytes: image/jpeg, image/png, image/webp or image/heic.")
            .Resolve(c => c.Source.Attachment.ContentType);
        Field<NonNullGraphType<LongGraphType>>("size").Description("In bytes.").Resolve(c => c.Source.Attachment.Size);
        Field<NonNullGraphType<StringGraphType>>("sha256").Description("The SHA-256 of the bytes, in lower-case hex (as recorded in the event).")
            .Resolve(c => c.Source.Attachment.Sha256);
        Field<InstantGraphType>("takenAt").Description("When the photo was taken, as its EXIF data says (with the camera's offset, or the GPS time); null when it does not say.")
            .Resolve(c => c.Source.Attachment.TakenAt);
        Field<LocationType>("takenWhere")
            .Description("Where the photo was taken, as its EXIF GPS data says; shown only to readers of the case (staff), never served publicly.")
            .Resolve(c => c.Source.Attachment.TakenWhere);
        Field<NonNullGraphType<ActorType>>("attachedBy").Resolve(c => c.Source.Attachment.AttachedBy);
        Field<NonNullGraphType<InstantGraphType>>("attachedAt").Resolve(c => c.Source.Attachment.AttachedAt);
        Field<NonNullGraphType<StringGraphType>>("url")
            .Description("Where to GET the bytes (relative to the server), with the same bearer token: served only to those who may read the case.")
            .Resolve(c => AttachmentEndpoints.UrlOf(c.Source.CaseId, c.Source.Attachment.Id));
    }
}

/// <summary>Photos as evidence: the case's attachments and the mutation that attaches photos on their own.</summary>
public static class EvidenceFields
{
    /// <summary><c>Case.attachments(kind)</c>: read with the case, so with its authorization.</summary>
    public static void AddAttachmentsField(this ObjectGraphType<CaseView> caseType) =>
        caseType.Field<NonNullGraphType<ListGraphType<NonNullGraphType<AttachmentType>>>>("attachments")
            .Description("Uploaded photos attached to the case, in the order they were attached (only those of one kind when given).")
            .Argument<AttachmentKindType>("kind")
            .Resolve(c =>
            {
                var kind = c.GetArgument<AttachmentKind?>("kind");
                return c.Source.Attachments.Where(a => kind is null || a.Kind == kind).Select(a => new ShownAttachment(c.Source.Id, a)).ToList();
            });

    public static void AddEvidenceMutations(this ObjectGraphType mutation) =>
        mutation.CaseMutation("attachEvidence",
            "Attach uploaded photos (POST /attachments) of one kind: REPORT (agent, inspector, a sensor's device), BEFORE_DISPOSAL and " +
            "AFTER_DISPOSAL (the department holding the case), VERIFICATION (inspector).",
            i =>
            {
                i.Field<NonNullGraphType<AttachmentKindType>>("kind");
                i.Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>>("attachmentIds")
                    .Description("Ids that POST /attachments answered, uploaded by you.");
            },
            async (input, actor, context) =>
            {
                var kind = input.Get<AttachmentKind>("kind");
                return new AttachEvidence(kind, await context.UploadedPhotos(input, kind, actor));
            });

    /// <summary>The optional <c>attachmentIds</c> input field of a step that brings photos.</summary>
    public static void AttachmentIdsField(this InputObjectGraphType input, string what) =>
        input.Field<ListGraphType<NonNullGraphType<IdGraphType>>>("attachmentIds")
            .Description($"Ids that POST /attachments answered, uploaded by you: {what}.");

    /// <summary>The uploads the input's <c>attachmentIds</c> name, as photos of <paramref name="kind"/>.</summary>
    public static async Task<IReadOnlyList<EvidencePhoto>> UploadedPhotos(this IResolveFieldContext context,
        IDictionary<string, object?> input, AttachmentKind kind, Actor actor)
    {
        var ids = input.GetList<object>("attachmentIds").Select(v => v.ToString() ?? "").Select(text =>
            Guid.TryParse(text, out var id) ? id : throw new ValidationFailedException($"attachmentIds: '{text}' is not an upload id")).ToList();
        return await context.Service<AttachmentStore>().ResolveAsync(ids, kind, actor, context.CancellationToken);
    }
}

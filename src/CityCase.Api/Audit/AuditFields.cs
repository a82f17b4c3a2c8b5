using CityCase.Api.GraphQL;
using CityCase.Engine;
using CityCase.Engine.Audit;
using GraphQL;
using GraphQL.Types;
using NodaTime.Text;
using Npgsql;

namespace CityCase.Api.Audit;

public sealed class AuditProblemType : ObjectGraphType<AuditProblem>
{
    public AuditProblemType()
    {
        Name = "AuditProblem";
        Description = "One thing found wrong: in a case (with its first bad version) or in a signed anchor.";
        Field<IdGraphType>("caseId").Resolve(c => c.Source.CaseId);
        Field<LongGraphType>("version").Resolve(c => c.Source.Version).Description("The case's first bad version.");
        Field<LongGraphType>("anchor").Resolve(c => c.Source.Anchor).Description("The anchor at fault, when the problem is an anchor's.");
        Field(x => x.Problem);
    }
}

public sealed class AuditVerificationType : ObjectGraphType<AuditVerification>
{
    public AuditVerificationType()
    {
        Name = "AuditVerification";
        Description = "The whole store re-hashed and checked against its chain and the heads the anchors signed.";
        Field(x => x.Intact);
        Field(x => x.CheckedEvents);
        Field(x => x.CheckedCases);
        Field(x => x.CheckedAnchors);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AuditProblemType>>>>("problems").Resolve(c => c.Source.Problems)
            .Description("Anchors' problems first, then each broken case once, at its first bad version.");
    }
}

public sealed class AuditAnchorType : ObjectGraphType<AuditAnchor>
{
    public AuditAnchorType()
    {
        Name = "AuditAnchor";
        Description = "A signed head of the whole store (ECDSA P-256, SHA-256): verify the signature over `statement` with the server's public key.";
        Field(x => x.Number);
        Field<NonNullGraphType<InstantGraphType>>("signedAt").Resolve(c => InstantPattern.General.Parse(c.Source.Field("signed-at")).Value);
        Field<NonNullGraphType<StringGraphType>>("keyId").Resolve(c => c.Source.Field("key"))
            .Description("The first 16 hex digits of the SHA-256 of the public key's SubjectPublicKeyInfo.");
        Field<NonNullGraphType<LongGraphType>>("cases").Resolve(c => long.Parse(c.Source.Field("cases")));
        Field<NonNullGraphType<LongGraphType>>("events").Resolve(c => long.Parse(c.Source.Field("events")));
        Field<NonNullGraphType<LongGraphType>>("headsMoved").Resolve(c => long.Parse(c.Source.Field("heads")))
            .Description("Cases whose last version moved since the anchor before.");
        Field(x => x.Statement).Description("The signed text, exactly (UTF-8).");
        Field(x => x.Signature).Description("Base64 of the IEEE P1363 signature (r || s).");
        Field(x => x.Digest).Description("SHA-256 of the statement: the next anchor's `previous`.");
    }
}

public sealed record AnchorAuditPayload(AuditAnchor? Anchor, AuditVerification? Verification, string? Refusal);

public sealed class AnchorAuditPayloadType : ObjectGraphType<AnchorAuditPayload>
{
    public AnchorAuditPayloadType()
    {
        Name = "AnchorAuditPayload";
        Field<AuditAnchorType>("anchor").Resolve(c => c.Source.Anchor).Description("The anchor signed; null when refused.");
        Field<AuditVerificationType>("verification").Resolve(c => c.Source.Verification).Description("What was verified before signing.");
        Field(x => x.Refusal, nullable: true).Description("Why nothing was signed: the store does not verify against the anchors before.");
    }
}

/// <summary>The whole store's audit: its signed anchors, and the store verified against them.</summary>
public static class AuditFields
{
    public static void AddAuditQueries(this ObjectGraphType query)
    {
        query.Field<NonNullGraphType<AuditVerificationType>>("verifyAudit")
            .Description("Every event of every case re-hashed and checked against the chain, mt_streams and the signed anchors (as the verify-audit verb does).")
            .ResolveAsync(async context =>
            {
                context.RequireActor();
                await using var connection = await context.Service<NpgsqlDataSource>().OpenConnectionAsync(context.CancellationToken);
                return await AuditVerifier.VerifyAsync(connection, context.Service<CitySettings>().Schema,
                    context.Service<AuditSigningKey>().PublicKeys, null, context.CancellationToken);
            });

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<AuditAnchorType>>>>("auditAnchors")
            .Description("The signed anchors, newest first.")
            .Argument<IntGraphType>("last", a => a.DefaultValue = 30)
            .ResolveAsync(async context =>
            {
                context.RequireActor();
                var last = Math.Clamp(context.GetArgument("last", 30), 1, 100);
                await using var connection = await context.Service<NpgsqlDataSource>().OpenConnectionAsync(context.CancellationToken);
                var anchors = await AuditAnchors.ReadAsync(connection, null, context.Service<CitySettings>().Schema, null,
                    context.CancellationToken, withHeads: false); // no field shows them: the files and cc_audit_anchor_head do
                return anchors.AsEnumerable().Reverse().Take(last).ToList();
            });
    }

    public static void AddAuditMutations(this ObjectGraphType mutation) =>
        mutation.Field<NonNullGraphType<AnchorAuditPayloadType>>("anchorAudit")
            .Description("Verifies the store and signs its head now, besides the scheduled anchors; refused (nothing signed) when it does not verify. For: admin.")
            .ResolveAsync(async context =>
            {
                context.RequireActor();
                var outcome = await context.Service<AuditAnchors>().AnchorAsync(null, context.CancellationToken);
                await context.Service<AuditAnchors>().ExportAsync(context.CancellationToken);
                return new AnchorAuditPayload(outcome.Anchor, outcome.Verification, outcome.Refusal);
            });
}

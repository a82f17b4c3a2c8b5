using System.Security.Cryptography;
using CityCase.Domain;
using CityCase.Domain.Evidence;
using Marten;
using Npgsql;
using NodaTime;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace CityCase.Engine.Evidence;

/// <summary>How large an upload may be (<c>Attachments:MaxBytes</c>, 10 MiB by default).</summary>
public sealed class AttachmentSettings
{
    public long MaxBytes { get; set; } = 10 * 1024 * 1024;
}

/// <summary>
/// One upload (POST /attachments): who sent which bytes (by their SHA-256) and what they are. Its id is what a mutation
/// names in <c>attachmentIds</c>; only its uploader may attach it, and once attached the case's event carries its hash.
/// </summary>
public sealed class UploadedAttachment
{
    public Guid Id { get; set; }
    public string Sha256 { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long Size { get; set; }
    public Instant? TakenAt { get; set; }
    public Location? TakenWhere { get; set; }
    public Actor UploadedBy { get; set; } = new("", "", "");
    public Instant UploadedAt { get; set; }

    /// <summary>As a case records it, as a photo of <paramref name="kind"/>.</summary>
    public EvidencePhoto AsEvidence(AttachmentKind kind) => new(Id, kind, Sha256, ContentType, Size, TakenAt, TakenWhere);
}

/// <summary>
/// The photos' bytes, content-addressed: one row per distinct SHA-256 in PostgreSQL (so the README's start needs nothing
/// more), written with the upload's record in one transaction. The same photo uploaded twice is stored once.
/// </summary>
public sealed class AttachmentStore(IDocumentStore store, NpgsqlDataSource dataSource, CitySettings city, AttachmentSettings settings, IClock clock)
{
    public const string TableName = "cc_attachment_blob";

    public static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn("sha256", "text").AsPrimaryKey();
        table.AddColumn("content", "bytea").NotNull();
        table.AddColumn("stored_at", "timestamp with time zone").NotNull().DefaultValueByExpression("now()");
        return table;
    }

    public long MaxBytes => settings.MaxBytes;

    /// <summary>Checks the bytes (type by content, metadata), stores them and their record; returns the record.</summary>
    public async Task<UploadedAttachment> UploadAsync(byte[] bytes, Actor by, CancellationToken ct)
    {
        if (bytes.Length == 0) throw new ValidationFailedException("the upload is empty: send the photo's bytes as the request body");
        if (bytes.Length > settings.MaxBytes)
            throw new ValidationFailedException($"the upload is larger than {ImageInspection.Describe(settings.MaxBytes)}");
        var image = ImageInspection.Inspect(bytes);
        var upload = new UploadedAttachment
        {
            Id = Guid.CreateVersion7(),
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            ContentType = image.ContentType,
            Size = bytes.Length,
            TakenAt = image.TakenAt,
            TakenWhere = image.TakenWhere,
            UploadedBy = by,
            UploadedAt = clock.GetCurrentInstant(),
        };
        await using var session = store.LightweightSession();
        session.QueueSqlCommand($"insert into {city.Schema}.{TableName} (sha256, content) values (?, ?) on conflict (sha256) do nothing",
            upload.Sha256, bytes);
        session.Store(upload);
        await session.SaveChangesAsync(ct);
        return upload;
    }

    /// <summary>
    /// The bytes of <paramref name="sha256"/>, checked against their name: bytes altered in the table since they were
    /// stored no longer hash to it, and are refused rather than shown as evidence.
    /// </summary>
    public async Task<byte[]?> ReadAsync(string sha256, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select content from {city.Schema}.{TableName} where sha256 = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = sha256 });
        if (await command.ExecuteScalarAsync(ct) is not byte[] bytes) return null;
        return Convert.ToHexStringLower(SHA256.HashData(bytes)) == sha256
            ? bytes
            : throw new InvalidOperationException($"the stored bytes of attachment {sha256} no longer match their SHA-256: they were altered");
    }

    /// <summary>
    /// The uploads named by a command, as photos of <paramref name="kind"/>: each must exist and have been uploaded by the
    /// same user (an id seen elsewhere gives no one else's photo).
    /// </summary>
    public async Task<IReadOnlyList<EvidencePhoto>> ResolveAsync(IReadOnlyList<Guid> ids, AttachmentKind kind, Actor by, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        if (ids.Count > EvidenceRules.MaxPhotosPerCommand)
            throw new ValidationFailedException($"attachmentIds may name at most {EvidenceRules.MaxPhotosPerCommand} photos (was {ids.Count})");
        await using var session = store.QuerySession();
        var found = (await session.LoadManyAsync<UploadedAttachment>(ct, ids.Distinct())).ToDictionary(a => a.Id);
        return ids.Select(id => found.TryGetValue(id, out var upload) && upload.UploadedBy.UserId == by.UserId
                ? upload.AsEvidence(kind)
                : throw new DomainException(ErrorCodes.NotFound, $"attachmentIds: no upload {id} of yours (upload photos with POST /attachments first)"))
            .ToList();
    }
}

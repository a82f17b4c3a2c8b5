using CityCase.Api.Access;
using CityCase.Api.Auth;
using CityCase.Api.Hosting;
using CityCase.Domain;
using CityCase.Domain.Assessment;
using CityCase.Engine.Cases;
using CityCase.Engine.Evidence;
using Marten;
using Microsoft.AspNetCore.Http.Features;
using NodaTime.Text;

namespace CityCase.Api.Evidence;

/// <summary>
/// Photos over plain HTTP: <c>POST /attachments</c> takes one photo as the raw request body and answers its id (to pass
/// in a mutation's <c>attachmentIds</c>); <c>GET /cases/{caseId}/attachments/{attachmentId}</c> gives its bytes to those
/// who may read the case. Why not the GraphQL multipart request spec: GraphQL requests stay small JSON (256 KiB) with one
/// parser and one set of limits, an upload is an ordinary request any client and curl can make, and a photo uploaded once
/// (over a slow mobile link, retried as needed) is attached by id in a mutation that can itself be retried cheaply.
/// Errors come in GraphQL's shape (<c>errors[].extensions.code</c>), with the HTTP status to match.
/// </summary>
public static class AttachmentEndpoints
{
    private const string Upload = "POST /attachments";
    private const string Download = "GET /cases/{caseId}/attachments/{attachmentId}";

    public static string UrlOf(Guid caseId, Guid attachmentId) => $"/cases/{caseId}/attachments/{attachmentId}";

    public static void MapAttachments(this WebApplication app)
    {
        app.MapPost("/attachments", UploadAsync);
        app.MapGet("/cases/{caseId}/attachments/{attachmentId}", DownloadAsync);
    }

    private static async Task UploadAsync(HttpContext http, AttachmentStore store)
    {
        if (HttpErrors.Refusal(http, Upload) is { } refusal) { await HttpErrors.WriteAsync(http, refusal); return; }
        var actor = http.User.ToActor()!;
        var max = store.MaxBytes;
        if (http.Request.ContentLength > max) { await TooLarge(http, max); return; }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = max + 1;

        using var body = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await http.Request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
        {
            if (body.Length + read > max) { await TooLarge(http, max); return; }
            body.Write(buffer, 0, read);
        }
        try
        {
            var upload = await store.UploadAsync(body.ToArray(), actor, http.RequestAborted);
            http.Response.StatusCode = StatusCodes.Status201Created;
            await http.Response.WriteAsJsonAsync(new
            {
                id = upload.Id,
                sha256 = upload.Sha256,
                contentType = upload.ContentType,
                size = upload.Size,
                takenAt = upload.TakenAt is { } t ? InstantPattern.ExtendedIso.Format(t) : null,
                takenWhere = upload.TakenWhere is { } w ? new { longitude = w.Longitude, latitude = w.Latitude } : null,
            }, http.RequestAborted);
        }
        catch (NotAnImageException e)
        {
            await HttpErrors.WriteAsync(http, e, StatusCodes.Status415UnsupportedMediaType);
        }
        catch (ValidationFailedException e)
        {
            await HttpErrors.WriteAsync(http, e);
        }
    }

    private static async Task DownloadAsync(HttpContext http, string caseId, string attachmentId, IQuerySession session,
        AttachmentStore store, AssessmentRules assessment)
    {
        if (HttpErrors.Refusal(http, Download) is { } refusal) { await HttpErrors.WriteAsync(http, refusal); return; }
        var actor = http.User.ToActor()!;
        if (!Guid.TryParse(caseId, out var caseGuid) || !Guid.TryParse(attachmentId, out var attachmentGuid))
        {
            await HttpErrors.WriteAsync(http, new DomainException(ErrorCodes.NotFound, "no such case or attachment"));
            return;
        }
        var view = await session.LoadAsync<CaseView>(caseGuid, http.RequestAborted);
        if (view is null) { await HttpErrors.WriteAsync(http, new DomainException(ErrorCodes.NotFound, $"No case has id {caseGuid}.")); return; }
        if (!CaseAccess.InScope(actor, view, assessment.InspectorOfGrid))
        {
            await HttpErrors.WriteAsync(http, new DomainException(ErrorCodes.Forbidden, $"case {view.Number} is not within what your role '{actor.Role}' may read"));
            return;
        }
        var attachment = view.Attachments.FirstOrDefault(a => a.Id == attachmentGuid);
        var bytes = attachment is null ? null : await store.ReadAsync(attachment.Sha256, http.RequestAborted);
        if (attachment is null || bytes is null)
        {
            await HttpErrors.WriteAsync(http, new DomainException(ErrorCodes.NotFound, $"case {view.Number} has no attachment {attachmentGuid}"));
            return;
        }
        http.Response.ContentType = attachment.ContentType;
        http.Response.ContentLength = bytes.Length;
        http.Response.Headers.CacheControl = "private, no-store"; // evidence is read under authorization, never from a shared cache
        http.Response.Headers.ETag = $"\"{attachment.Sha256}\"";
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'";
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
    }

    private static Task TooLarge(HttpContext http, long max) =>
        HttpErrors.WriteAsync(http, new DomainException("REQUEST_TOO_LARGE", $"a photo may be at most {ImageInspection.Describe(max)} (Attachments:MaxBytes)"),
            StatusCodes.Status413PayloadTooLarge);
}

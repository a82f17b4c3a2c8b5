using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.Evidence;

/// <summary>
/// Photos as evidence over HTTP on real PostgreSQL: uploaded with POST /attachments (type by content, EXIF time and GPS
/// read, size limited), attached by id at the steps that need them (traffic signs, 0202, require after-disposal and
/// verification photos in the sample catalogue), recorded with their hash, and read back under the case's authorization.
/// </summary>
public sealed class AttachmentTests : IAsyncLifetime
{
    private readonly CityCaseServer _server = new() { Arguments = ["--Attachments:MaxBytes", "65536"] };
    private CaseClient _client = null!;
    private static readonly string Signs = CaseClient.Department("D07");
    private static readonly string Roads = CaseClient.Department("D02");

    public async Task InitializeAsync()
    {
        await _server.InitializeAsync();
        _client = new CaseClient(_server);
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonObject Body)> Upload(byte[] bytes, string? token, string contentType = "application/octet-stream")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/attachments") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _server.Http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    private async Task<(HttpStatusCode Status, byte[] Bytes, HttpResponseMessage Response)> Download(string url, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await _server.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(), response);
    }

    private static string Code(JsonObject body) => body["errors"]![0]!["extensions"]!["code"]!.GetValue<string>();

    [Fact]
    public async Task A_traffic_sign_case_needs_its_photos_and_they_are_recorded_with_their_hash_and_served_only_to_its_readers()
    {
        var c = _client;
        var (id, _) = await c.Report("Traffic sign knocked over", categoryCode: "0202");
        await c.Must("acceptCase", c.Dispatcher, id, new { categoryCode = "0202", urgency = "NORMAL" });
        await c.Must("dispatchCase", c.Dispatcher, id, new { departmentCode = "D07" });
        await c.Must("signCase", Signs, id);

        // The upload: type and metadata read from the bytes, not from the name or Content-Type.
        var jpeg = TestImages.JpegWithExif("after");
        var (status, upload) = await Upload(jpeg, Signs, "text/plain");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("image/jpeg", upload["contentType"]!.GetValue<string>());
        Assert.Equal(jpeg.Length, upload["size"]!.GetValue<long>());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(jpeg)), upload["sha256"]!.GetValue<string>());
        Assert.Equal("2026-11-24T01:15:00Z", upload["takenAt"]!.GetValue<string>());
        Assert.Equal((121.4737, 31.2304), (upload["takenWhere"]!["longitude"]!.GetValue<double>(), upload["takenWhere"]!["latitude"]!.GetValue<double>()));
        var photoId = upload["id"]!.GetValue<string>();

        // Without the after photo the report is refused, naming what is missing, and nothing is appended.
        var before = await c.EventsOf(id);
        var refused = await c.Do("reportDisposal", Signs, id, new { result = "Sign re-erected" });
        Assert.Equal("VALIDATION_FAILED", refused.FirstErrorCode);
        Assert.Contains("AFTER_DISPOSAL", refused.FirstErrorMessage);
        // Another user's upload is nobody else's to attach.
        var (_, inspectors) = await Upload(TestImages.JpegWithExif("inspector's"), c.Inspector);
        var notYours = await c.Do("reportDisposal", Signs, id, new { result = "x", attachmentIds = new[] { inspectors["id"]!.GetValue<string>() } });
        Assert.Equal("NOT_FOUND", notYours.FirstErrorCode);
        Assert.Equal(before, await c.EventsOf(id));

        Assert.Equal("DISPOSED", (await c.Must("reportDisposal", Signs, id, new { result = "Sign re-erected", attachmentIds = new[] { photoId } })).Status);
        // The inspector's check needs a verification photo too; a PNG will do.
        Assert.Equal("VALIDATION_FAILED", (await c.Do("verifyDisposal", c.Inspector, id, new { passed = true })).FirstErrorCode);
        var (pngStatus, png) = await Upload(TestImages.Png(), c.Inspector, "image/jpeg");
        Assert.Equal((HttpStatusCode.Created, "image/png"), (pngStatus, png["contentType"]!.GetValue<string>()));
        Assert.Null(png["takenAt"]);
        await c.Must("verifyDisposal", c.Inspector, id, new { passed = true, attachmentIds = new[] { png["id"]!.GetValue<string>() } });

        var view = await c.Case(id, "attachments { id kind contentType size sha256 takenAt takenWhere { longitude latitude } attachedBy { userId } url }");
        var attachments = view["attachments"]!.AsArray();
        Assert.Equal(["AFTER_DISPOSAL", "VERIFICATION"], attachments.Select(a => a!["kind"]!.GetValue<string>()));
        var after = attachments[0]!;
        Assert.Equal((photoId, "image/jpeg", (long)jpeg.Length, "2026-11-24T01:15:00Z", "staff-D07"),
            (after["id"]!.GetValue<string>(), after["contentType"]!.GetValue<string>(), after["size"]!.GetValue<long>(),
                after["takenAt"]!.GetValue<string>(), after["attachedBy"]!["userId"]!.GetValue<string>()));
        var url = after["url"]!.GetValue<string>();
        Assert.Equal($"/cases/{id}/attachments/{photoId}", url);

        // The hash is in the event, so the audit chain covers the evidence.
        var history = await c.History(id);
        var attached = history.Where(e => e!["type"]!.GetValue<string>() == "EvidenceAttached").ToList();
        Assert.Equal(2, attached.Count);
        Assert.Contains(upload["sha256"]!.GetValue<string>(), attached[0]!["data"]!.GetValue<string>());

        // The bytes: to the department that holds it and to other readers of the case; not to another department, nor without a token.
        var (ok, bytes, response) = await Download(url, Signs);
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal(jpeg, bytes);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal(HttpStatusCode.OK, (await Download(url, c.Dispatcher)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Download(url, Roads)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Download(url, c.Analyst)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Download(url, null)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Download($"/cases/{id}/attachments/{inspectors["id"]}", c.Dispatcher)).Status);
        // A department reading the case in GraphQL is held to its scope in the same way.
        var otherDepartment = await _server.PostGraphQL("query($id: ID) { case(id: $id) { attachments { url } } }", new { id }, Roads);
        Assert.Equal("FORBIDDEN", otherDepartment.FirstErrorCode);
    }

    [Fact]
    public async Task Uploads_are_refused_by_content_size_and_role_and_the_same_bytes_are_stored_once()
    {
        var c = _client;
        var (status, body) = await Upload("not a photo at all"u8.ToArray(), Signs, "image/jpeg");
        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "VALIDATION_FAILED"), (status, Code(body)));
        Assert.Contains("not a JPEG, PNG, WebP or HEIC", body["errors"]![0]!["message"]!.GetValue<string>());

        var tooLarge = TestImages.JpegWithExif(new string('x', 60_000)).Concat(new byte[10_000]).ToArray();
        (status, body) = await Upload(tooLarge, Signs);
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "REQUEST_TOO_LARGE"), (status, Code(body)));

        Assert.Equal(HttpStatusCode.Unauthorized, (await Upload(TestImages.Png(), null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Upload(TestImages.Png(), c.Analyst)).Status);

        // A JPEG cut short in its EXIF (offsets pointing past the end): still a JPEG, with no metadata, and no error.
        (status, body) = await Upload(TestImages.JpegWithExif()[..60], Signs);
        Assert.Equal((HttpStatusCode.Created, "image/jpeg"), (status, body["contentType"]!.GetValue<string>()));
        Assert.Null(body["takenAt"]);

        // HEIC is told by its ISO-BMFF brand.
        byte[] heic = [0, 0, 0, 24, .. "ftypheic"u8.ToArray(), 0, 0, 0, 0, .. "mif1heic"u8.ToArray(), 0, 0, 0, 8, .. "mdat"u8.ToArray()];
        (status, body) = await Upload(heic, Signs);
        Assert.Equal((HttpStatusCode.Created, "image/heic"), (status, body["contentType"]!.GetValue<string>()));

        var png = TestImages.Png();
        var first = (await Upload(png, c.Inspector)).Body;
        var second = (await Upload(png, c.Inspector)).Body;
        Assert.NotEqual(first["id"]!.GetValue<string>(), second["id"]!.GetValue<string>());
        await using var connection = new Npgsql.NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("select count(*) from citycase.cc_attachment_blob where sha256 = $1", connection)
        { Parameters = { new() { Value = first["sha256"]!.GetValue<string>() } } };
        Assert.Equal(1L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Photos_are_attached_on_their_own_by_the_roles_whose_work_they_record()
    {
        var c = _client;
        var (id, _) = await c.Report("Bus shelter glass broken", categoryCode: "0204");
        var report = (await Upload(TestImages.JpegWithExif("report"), c.Agent)).Body["id"]!.GetValue<string>();
        Assert.Equal("REPORTED", (await c.Must("attachEvidence", c.Agent, id, new { kind = "REPORT", attachmentIds = new[] { report } })).Status);

        await c.Must("acceptCase", c.Dispatcher, id, new { categoryCode = "0204", urgency = "NORMAL" });
        await c.Must("dispatchCase", c.Dispatcher, id, new { departmentCode = "D07" });
        var before = (await Upload(TestImages.Png(), Signs)).Body["id"]!.GetValue<string>();
        var roadsPhoto = (await Upload(TestImages.Png(), Roads)).Body["id"]!.GetValue<string>();
        // Another department's photo on this case, and an agent's before-disposal photo, are refused.
        Assert.Equal("FORBIDDEN", (await c.Do("attachEvidence", Roads, id, new { kind = "BEFORE_DISPOSAL", attachmentIds = new[] { roadsPhoto } })).FirstErrorCode);
        var agentsPhoto = (await Upload(TestImages.Png(), c.Agent)).Body["id"]!.GetValue<string>();
        Assert.Equal("FORBIDDEN", (await c.Do("attachEvidence", c.Agent, id, new { kind = "BEFORE_DISPOSAL", attachmentIds = new[] { agentsPhoto } })).FirstErrorCode);
        Assert.Equal("VALIDATION_FAILED", (await c.Do("attachEvidence", Signs, id, new { kind = "BEFORE_DISPOSAL", attachmentIds = new[] { "nope" } })).FirstErrorCode);
        await c.Must("attachEvidence", Signs, id, new { kind = "BEFORE_DISPOSAL", attachmentIds = new[] { before } });

        var kinds = (await c.Case(id, "attachments { kind }"))["attachments"]!.AsArray().Select(a => a!["kind"]!.GetValue<string>());
        Assert.Equal(["REPORT", "BEFORE_DISPOSAL"], kinds);
        var onlyBefore = await c.Case(id, "attachments(kind: BEFORE_DISPOSAL) { id }");
        Assert.Equal(before, Assert.Single(onlyBefore["attachments"]!.AsArray())!["id"]!.GetValue<string>());
    }
}

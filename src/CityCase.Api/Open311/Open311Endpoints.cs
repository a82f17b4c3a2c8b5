using System.Text;
using CityCase.Api.GraphQL;
using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Reference;
using CityCase.Engine.Cases;
using CityCase.Engine.Intake;
using CityCase.Engine.Observability;
using CityCase.Engine.Privacy;
using Marten;
using Microsoft.AspNetCore.Http.Features;
using NodaTime;
using Wolverine;

namespace CityCase.Api.Open311;

/// <summary>A request Open311 refuses: its HTTP status (400, 403, 404) and the description in its error list.</summary>
public sealed class Open311Exception(int status, string description) : Exception(description)
{
    public int Status { get; } = status;
}

/// <summary>
/// Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2), every path in JSON and XML: discovery, the services (one per
/// minor class of the catalogue), their questions, filing a request (a partner with its api_key; the same intake
/// handler and decider as <c>reportComplaint</c>), and reading requests back without personal data. Who may use each
/// path is in <see cref="Access.AccessPolicy.HttpEndpoints"/>.
/// </summary>
public static class Open311Endpoints
{
    public const string Prefix = "/open311/v2";
    public const string Specification = "http://wiki.open311.org/GeoReport_v2";

    /// <summary>At most this many requests per answer (the specification's 1,000), and a query spans at most 90 days.</summary>
    public const int MaxPageSize = 1000;
    public static readonly Duration MaxSpan = Duration.FromDays(90);

    public static IServiceCollection AddOpen311(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton((configuration.GetSection("Open311").Get<Open311Settings>() ?? new Open311Settings()).Validated());
        services.AddSingleton(sp => new Open311Time(sp.GetRequiredService<DateTimeZone>()));
        return services;
    }

    public static void MapOpen311(this IEndpointRouteBuilder app)
    {
        // Anonymous readers are limited per address like anonymous GraphQL callers; partners' posts too.
        var open311 = app.MapGroup(Prefix).RequireRateLimiting(RequestLimits.RateLimitPolicy);
        open311.MapGet("/discovery.{format}", (HttpContext http, string format) => Answer(http, format, () => Task.FromResult(Discovery(http))));
        open311.MapGet("/services.{format}", (HttpContext http, string format) => Answer(http, format, () => Task.FromResult(Services(http))));
        open311.MapGet("/services/{code}.{format}", (HttpContext http, string code, string format) =>
            Answer(http, format, () => Task.FromResult(ServiceDefinition(http, code))));
        open311.MapPost("/requests.{format}", (HttpContext http, string format) => Answer(http, format, () => PostRequest(http)));
        open311.MapGet("/requests.{format}", (HttpContext http, string format) => Answer(http, format, () => GetRequests(http)));
        open311.MapGet("/requests/{id}.{format}", (HttpContext http, string id, string format) => Answer(http, format, () => GetRequest(http, id)));
        open311.MapGet("/tokens/{token}.{format}", (HttpContext http, string token, string format) => Answer(http, format, () =>
            throw new Open311Exception(404, $"token '{Short(token)}' is unknown: service_request_id is answered at once, so no tokens are issued")));
    }

    // ---- the answer, in the format asked for, or the error list ----

    private static async Task<IResult> Answer(HttpContext http, string format, Func<Task<O311Document>> build)
    {
        var chosen = format switch { "json" => Open311Format.Json, "xml" => Open311Format.Xml, _ => (Open311Format?)null };
        if (chosen is not { } f) return Error(404, $"format '{Short(format)}' is not served: use .json or .xml", Open311Format.Json);
        try
        {
            return (await build()).ToResult(f);
        }
        catch (Open311Exception e) { return Error(e.Status, e.Message, f); }
        catch (DomainException e) when (e.Code is ErrorCodes.ValidationFailed or ErrorCodes.IdempotencyKeyReused)
        {
            return Error(400, e.Message, f);
        }
        catch (DomainException e) when (e.Code == ErrorCodes.NotFound) { return Error(404, e.Message, f); }
        catch (Exception e) when (GraphQLErrors.IsDatabaseUnavailable(e))
        {
            return Error(503, GraphQLErrors.DatabaseUnavailableMessage, f);
        }
    }

    /// <summary>GeoReport v2's error list: <c>[{ "code": 400, "description": "..." }]</c>, <c>&lt;errors&gt;&lt;error&gt;</c> in XML.</summary>
    public static IResult Error(int status, string description, Open311Format format) =>
        new O311Document("errors", new O311List("error", [new O311Object(("code", status), ("description", description))]))
            .ToResult(format, status);

    // ---- discovery and services ----

    private static O311Document Discovery(HttpContext http)
    {
        var settings = http.RequestServices.GetRequiredService<Open311Settings>();
        var url = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{Prefix}/";
        return new O311Document("discovery", new O311Object(
            ("changeset", settings.Changeset),
            ("contact", settings.Contact),
            ("key_service", settings.KeyService),
            ("endpoints", new O311List("endpoint",
            [
                new O311Object(("specification", Specification), ("url", url), ("changeset", settings.Changeset), ("type", "production"),
                    ("formats", new O311List("format", ["text/xml", "application/json"]))),
            ]))));
    }

    /// <summary>One service per minor class (小类): code, name, what it covers, its major class as the group.</summary>
    private static O311Document Services(HttpContext http)
    {
        var reference = http.RequestServices.GetRequiredService<ReferenceData>();
        return new O311Document("services", new O311List("service", [.. reference.Categories.OrderBy(c => c.Code, StringComparer.Ordinal)
            .Select(c => new O311Object(
                ("service_code", c.Code),
                ("service_name", c.Name),
                ("description", c.FilingCondition),
                ("metadata", c.Attributes.Count > 0),
                ("type", "realtime"), // service_request_id is answered at once
                ("keywords", string.Join(",", new[] { c.NameEn, c.MajorName, c.Kind.ToString().ToLowerInvariant() }.Where(k => k.Length > 0))),
                ("group", c.MajorName)))]));
    }

    private static O311Document ServiceDefinition(HttpContext http, string code)
    {
        var category = http.RequestServices.GetRequiredService<ReferenceData>().CategoriesByCode.GetValueOrDefault(code)
                       ?? throw new Open311Exception(404, $"service_code '{Short(code)}' is not a service of this city");
        return new O311Document("service_definition", new O311Object(
            ("service_code", category.Code),
            ("attributes", new O311List("attribute", [.. category.Attributes.Select((a, i) => new O311Object(
                ("variable", true),
                ("code", a.Code),
                ("datatype", DatatypeName(a.Datatype)),
                ("required", a.Required),
                ("datatype_description", a.DatatypeDescription),
                ("order", i + 1),
                ("description", a.Description),
                ("values", new O311List("value", [.. a.Values.Select(v => new O311Object(("key", v.Key), ("name", v.Name)))]))))]))));
    }

    /// <summary>The catalogue's SINGLE_VALUE_LIST is Open311's <c>singlevaluelist</c>, and so on.</summary>
    public static string DatatypeName(AttributeDatatype datatype) => datatype.ToString().ToLowerInvariant();

    // ---- filing a request ----

    private static async Task<O311Document> PostRequest(HttpContext http)
    {
        if (!http.Request.HasFormContentType)
            throw new Open311Exception(400, "POST the request as a form: Content-Type application/x-www-form-urlencoded (or multipart/form-data)");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = RequestLimits.MaxBodyBytes;
        IFormCollection form;
        try { form = await http.Request.ReadFormAsync(http.RequestAborted); }
        catch (Exception e) when (e is BadHttpRequestException or InvalidDataException or IOException)
        {
            throw new Open311Exception(400, e is BadHttpRequestException { StatusCode: 413 }
                ? $"the form is larger than {RequestLimits.MaxBodyBytes / 1024} KiB"
                : $"the form could not be read: {e.Message}");
        }

        var partner = Text(form, "api_key") is { } apiKey
            ? http.RequestServices.GetRequiredService<Open311Settings>().PartnerFor(apiKey)
              ?? throw new Open311Exception(403, "api_key is not a partner's key")
            : throw new Open311Exception(403, "api_key is required to post a request");
        var request = ServiceRequestFrom(form);

        // A retry repeats the request: the partner's idempotency key when it sends one (kept for ever, as in GraphQL),
        // else the request's content, remembered for a day (keyed with the privacy key: the content holds the citizen).
        var explicitKey = http.Request.Headers["Idempotency-Key"].FirstOrDefault() ?? Text(form, "idempotency_key");
        var key = explicitKey ?? "content:" + http.RequestServices.GetRequiredService<PrivacyKeys>().Fingerprint(ContentOf(form));
        var bus = http.RequestServices.GetRequiredService<IMessageBus>();
        var filed = await CityCaseMetrics.TimeCommandAsync("open311.postRequest", () => bus.InvokeAsync<IntakeAnswer>(
            new ReportEnvelope(request, partner.Actor, key, explicitKey is null ? Open311Settings.ContentKeyLifetime : null), http.RequestAborted));

        var view = await Load(http, filed.CaseId);
        var time = http.RequestServices.GetRequiredService<Open311Time>();
        var notice = Open311Status.ExpectedOf(view) is { } expected
            ? $"Filed as case {view.Number}; the city will answer by {time.Format(expected)}."
            : $"Filed as case {view.Number}.";
        return new O311Document("service_requests", new O311List("request",
            [new O311Object(("service_request_id", view.Number), ("service_notice", notice), ("account_id", null))]));
    }

    /// <summary>The form as the domain's command; every check of its content is intake's (the same as reportComplaint's).</summary>
    private static ReportServiceRequest ServiceRequestFrom(IFormCollection form)
    {
        foreach (var (field, values) in form)
            foreach (var value in values)
            {
                if (value is null) continue;
                if (value.Length > RequestLimits.MaxTextLength)
                    throw new Open311Exception(400, $"{Short(field)} is {value.Length} characters long; at most {RequestLimits.MaxTextLength} are accepted");
                var bad = value.IndexOfAny(ArgumentTextMiddleware.ControlCharacters);
                if (bad >= 0) throw new Open311Exception(400, $"{Short(field)} contains the control character U+{(int)value[bad]:X4} at position {bad}; remove it");
            }
        if (form.Files.Count > 0) throw new Open311Exception(400, "files are not accepted: link the media with media_url");
        if (form["service_code"].Count > 1) throw new Open311Exception(400, "service_code is given more than once");

        var serviceCode = Text(form, "service_code") ?? throw new Open311Exception(400, "service_code is required");
        var (lat, lon) = (Number(form, "lat", -90, 90), Number(form, "long", -180, 180));
        if (lat is null || lon is null)
            throw new Open311Exception(400, Text(form, "address_string") is not null || Text(form, "address_id") is not null
                ? "lat and long are required: requests are placed in their unit grid by coordinates, and address_string alone cannot be (it is kept as the address when given with them)"
                : "lat and long are required");
        var name = string.Join(" ", new[] { Text(form, "first_name"), Text(form, "last_name") }.Where(n => n is not null));
        var citizen = new Citizen(name.Length > 0 ? name : null, Text(form, "phone"), Text(form, "email"));
        var answers = new List<AttributeAnswer>();
        foreach (var (field, values) in form)
            if (AttributeCode(field) is { } code)
                answers.Add(new AttributeAnswer(code, [.. values.OfType<string>()]));
        return new ReportServiceRequest(form["description"].ToString(), new Location(lon.Value, lat.Value, Text(form, "address_string")),
            serviceCode, citizen.IsEmpty ? null : citizen, Text(form, "media_url"),
            [.. answers.GroupBy(a => a.Code).Select(g => new AttributeAnswer(g.Key, [.. g.SelectMany(a => a.Values)]))]);
    }

    /// <summary><c>attribute[CODE]</c>, or <c>attribute[CODE][]</c> for one value of a multi-value list; else null.</summary>
    private static string? AttributeCode(string field)
    {
        if (!field.StartsWith("attribute[", StringComparison.Ordinal)) return null;
        var rest = field["attribute[".Length..];
        var code = rest.EndsWith("][]", StringComparison.Ordinal) ? rest[..^3] : rest.EndsWith(']') ? rest[..^1] : null;
        return code is { Length: > 0 } && !code.Contains('[') && !code.Contains(']')
            ? code
            : throw new Open311Exception(400, $"'{Short(field)}' is not attribute[CODE] or attribute[CODE][]");
    }

    /// <summary>The form's content, in a fixed order and without the key: what makes two posts the same request.</summary>
    private static byte[] ContentOf(IFormCollection form) => Encoding.UTF8.GetBytes(string.Join("\n", form
        .Where(f => f.Key is not ("api_key" or "idempotency_key"))
        .OrderBy(f => f.Key, StringComparer.Ordinal)
        .Select(f => $"{f.Key}={string.Join("\u001f", f.Value.OfType<string>())}")));

    private static string? Text(IFormCollection form, string name) =>
        form[name].ToString() is { } text && TextLimits.IsVisible(text) ? text.Trim() : null;

    private static double? Number(IFormCollection form, string name, double min, double max)
    {
        if (Text(form, name) is not { } text) return null;
        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
               && double.IsFinite(value) && value >= min && value <= max
            ? value
            : throw new Open311Exception(400, $"{name} must be a number from {min} to {max} in WGS 84 degrees (was '{Short(text)}')");
    }

    // ---- reading requests ----

    private static async Task<O311Document> GetRequest(HttpContext http, string id)
    {
        var session = http.RequestServices.GetRequiredService<IQuerySession>();
        var view = await session.Query<CaseView>().Where(v => v.Number == id).FirstOrDefaultAsync(http.RequestAborted)
                   ?? throw new Open311Exception(404, $"service_request_id '{Short(id)}' is not a request of this city");
        return await Requests(http, [view]);
    }

    private static async Task<O311Document> GetRequests(HttpContext http)
    {
        var query = http.Request.Query;
        var session = http.RequestServices.GetRequiredService<IQuerySession>();
        // A list of ids overrides every other filter (the specification says so).
        if (List(query, "service_request_id") is { Count: > 0 } ids)
        {
            if (ids.Count > MaxPageSize) throw new Open311Exception(400, $"service_request_id may list at most {MaxPageSize} requests (was {ids.Count})");
            var found = await session.Query<CaseView>().Where(v => v.Number.IsOneOf(ids))
                .OrderByDescending(v => v.ReportedAtMs).ThenByDescending(v => v.Number).ToListAsync(http.RequestAborted);
            return await Requests(http, found);
        }

        var reference = http.RequestServices.GetRequiredService<ReferenceData>();
        var codes = List(query, "service_code");
        foreach (var code in codes ?? [])
            if (!reference.CategoriesByCode.ContainsKey(code)) throw new Open311Exception(400, $"service_code '{Short(code)}' is not a service of this city");
        var statuses = List(query, "status");
        foreach (var status in statuses ?? [])
            if (status is not (Open311Status.Open or Open311Status.Closed))
                throw new Open311Exception(400, $"status must be open or closed, or both comma-separated (was '{Short(status)}')");
        var (from, to) = Span(http);
        var page = Whole(query, "page", 1, int.MaxValue / MaxPageSize) ?? 1;
        var pageSize = Whole(query, "page_size", 1, MaxPageSize) ?? MaxPageSize;

        var (fromMs, toMs) = (from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        IQueryable<CaseView> cases = session.Query<CaseView>().Where(v => v.ReportedAtMs >= fromMs && v.ReportedAtMs <= toMs);
        if (codes is { Count: > 0 })
        {
            List<string?> oneOf = [.. codes];
            cases = cases.Where(v => v.CategoryCode.IsOneOf(oneOf));
        }
        if (statuses is { Count: > 0 } && statuses.Distinct().Count() == 1)
        {
            var open = statuses[0] == Open311Status.Open;
            cases = cases.Where(v => v.IsOpen == open);
        }
        var list = await cases.OrderByDescending(v => v.ReportedAtMs).ThenByDescending(v => v.Number)
            .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(http.RequestAborted);
        return await Requests(http, list);
    }

    /// <summary>
    /// start_date and end_date (w3c date-times): neither gives the last 90 days; one alone gives 90 days from or to it;
    /// both must be in order and at most 90 days apart.
    /// </summary>
    private static (Instant From, Instant To) Span(HttpContext http)
    {
        var time = http.RequestServices.GetRequiredService<Open311Time>();
        Instant? Date(string name) => http.Request.Query[name].ToString() is { Length: > 0 } text
            ? time.Parse(text) ?? throw new Open311Exception(400,
                $"{name} must be a w3c date-time with an offset, e.g. 2026-11-30T08:00:00+08:00 (was '{Short(text)}')")
            : null;
        var (start, end) = (Date("start_date"), Date("end_date"));
        switch (start, end)
        {
            case (null, null):
                var now = http.RequestServices.GetRequiredService<IClock>().GetCurrentInstant();
                return (now - MaxSpan, now);
            case ({ } s, null): return (s, s + MaxSpan);
            case (null, { } e): return (e - MaxSpan, e);
            case ({ } s, { } e) when e < s: throw new Open311Exception(400, "end_date must not be before start_date");
            case ({ } s, { } e) when e - s > MaxSpan:
                throw new Open311Exception(400, $"start_date and end_date may be at most 90 days apart (they are {(e - s).TotalDays:0.#} days apart)");
            case ({ } s, { } e): return (s, e);
        }
    }

    private static List<string>? List(IQueryCollection query, string name) =>
        query.ContainsKey(name)
            ? [.. query[name].SelectMany(v => (v ?? "").Split(',')).Select(v => v.Trim()).Where(v => v.Length > 0).Distinct()]
            : null;

    private static int? Whole(IQueryCollection query, string name, int min, int max) =>
        query[name].ToString() is { Length: > 0 } text
            ? int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                ? n
                : throw new Open311Exception(400, $"{name} must be a whole number from {min} to {max} (was '{Short(text)}')")
            : null;

    /// <summary>The requests as the public reads them: status and notes, the service, the agency, the times, where, the media; no citizen.</summary>
    private static async Task<O311Document> Requests(HttpContext http, IReadOnlyList<CaseView> views)
    {
        var reference = http.RequestServices.GetRequiredService<ReferenceData>();
        var time = http.RequestServices.GetRequiredService<Open311Time>();
        var mergedInto = views.Where(v => v.MergedInto is not null).Select(v => v.MergedInto!.Value).Distinct().ToList();
        var targets = mergedInto.Count == 0
            ? new Dictionary<Guid, string>()
            : (await http.RequestServices.GetRequiredService<IQuerySession>().LoadManyAsync<CaseView>(http.RequestAborted, mergedInto))
                .ToDictionary(v => v.Id, v => v.Number);
        return new O311Document("service_requests", new O311List("request", [.. views.Select(v =>
        {
            var agency = Open311Status.AgencyOf(v, reference);
            var category = v.CategoryCode is { } code ? reference.CategoriesByCode.GetValueOrDefault(code) : null;
            return new O311Object(
                ("service_request_id", v.Number),
                ("status", Open311Status.StatusOf(v)),
                ("status_notes", Open311Status.NotesOf(v, agency, v.MergedInto is { } into ? targets.GetValueOrDefault(into) : null)),
                ("service_name", category?.Name),
                ("service_code", v.CategoryCode),
                // Published only for requests partners filed for the public; a caller's words on the phone or staff's
                // records may name people.
                ("description", v.Source == CaseSource.Open311 ? v.Description : null),
                ("agency_responsible", agency),
                ("service_notice", null),
                ("requested_datetime", time.Format(v.ReportedAt)),
                ("updated_datetime", time.Format(v.UpdatedAt)),
                ("expected_datetime", time.Format(Open311Status.ExpectedOf(v))),
                ("address", v.Location.Address),
                ("lat", v.Location.Latitude),
                ("long", v.Location.Longitude),
                ("media_url", v.MediaUrl));
        })]));
    }

    private static async Task<CaseView> Load(HttpContext http, Guid id) =>
        await http.RequestServices.GetRequiredService<IQuerySession>().LoadAsync<CaseView>(id, http.RequestAborted)
        ?? throw new Open311Exception(404, $"case {id} is not found");

    private static string Short(string text) => text.Length <= 60 ? text : text[..60] + "…";
}

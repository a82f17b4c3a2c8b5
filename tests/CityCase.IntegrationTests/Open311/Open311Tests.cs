using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using CityCase.Api.Access;
using CityCase.Domain.Reference;
using CityCase.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using static CityCase.IntegrationTests.Open311.Open311Client;

namespace CityCase.IntegrationTests.Open311;

/// <summary>The real server on a test clock, with two partners configured (their keys' hashes only).</summary>
public sealed class Open311Server() : IAsyncLifetime
{
    public FakeClock Clock { get; } = new(Instant.FromUtc(2026, 11, 24, 2, 0)); // Tuesday 10:00 in Shanghai
    public CityCaseServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = new CityCaseServer { Clock = Clock, Arguments = ["--Sla:PollSeconds", "0", .. PartnerArguments] };
        await Server.InitializeAsync();
    }

    public Task DisposeAsync() => Server.DisposeAsync();
}

/// <summary>
/// Open311 GeoReport v2 through HTTP on the real server: every path in JSON (parsed as the specification's arrays and
/// objects) and XML (validated against georeport-v2.xsd), every filter, every error (nothing filed), retries, the
/// status table, and no personal data in any public answer.
/// </summary>
public sealed class Open311Tests(Open311Server fixture) : IClassFixture<Open311Server>
{
    private CityCaseServer Server => fixture.Server;
    private static readonly string[] Formats = ["json", "xml"];
    private static readonly string[] PersonalData = ["Mei", "Zhang", "13911112222", "mei.zhang@example.org", "Li Wei", "13800000000"];

    private static readonly (string, string)[] Citizen =
        [("first_name", "Mei"), ("last_name", "Zhang"), ("phone", "13911112222"), ("email", "mei.zhang@example.org")];

    private static int _filed;

    /// <summary>Files a new request (its description numbered, so that it is not a retry of an earlier one).</summary>
    private async Task<string> File(params (string, string)[] more) =>
        await FileAs(Request($"The manhole cover is gone (report {Interlocked.Increment(ref _filed)})", more: more));

    private async Task<string> FileAs(List<KeyValuePair<string, string>> form)
    {
        var answer = await Server.Post("json", form);
        Assert.True(answer.Status == 200, answer.ToString());
        return answer.Array.Single()!["service_request_id"]!.GetValue<string>();
    }

    private async Task<JsonNode> CaseByNumber(string number, string fields = "id status source categoryCode gridCode version mediaUrl " +
        "attributes { code values } citizen { name phone email } recordedBy { userId name role } clocks { clock dueAt }")
    {
        var answer = await Server.PostGraphQL($"query($n: String) {{ case(number: $n) {{ {fields} }} }}", new { n = number },
            CityCaseServer.Token("agent", "alice"));
        Assert.Null(answer.Errors);
        return answer.Data!["case"]!;
    }

    private async Task Mutate(string mutation, object input, string role = "dispatcher")
    {
        var answer = await Server.PostGraphQL($"mutation($input: {char.ToUpperInvariant(mutation[0])}{mutation[1..]}Input!) {{ {mutation}(input: $input) {{ case {{ status }} }} }}",
            new { input }, CityCaseServer.Token(role, "dan"));
        Assert.True(answer.Errors is null, answer.ToString());
    }

    // ---- discovery and services ----

    [Fact]
    public async Task Discovery_names_the_v2_endpoint_and_both_formats()
    {
        var json = await Server.Get("/discovery.json");
        Assert.Equal(200, json.Status);
        Assert.Equal("application/json", json.MediaType);
        var endpoint = json.Json["endpoints"]![0]!;
        Assert.Equal("http://wiki.open311.org/GeoReport_v2", endpoint["specification"]!.GetValue<string>());
        Assert.Equal($"{Server.BaseAddress.ToString().TrimEnd('/')}/open311/v2/", endpoint["url"]!.GetValue<string>());
        Assert.Equal(["text/xml", "application/json"], endpoint["formats"]!.AsArray().Select(f => f!.GetValue<string>()));

        var xml = await Server.Get("/discovery.xml");
        Assert.Equal("text/xml", xml.MediaType);
        Assert.Equal(endpoint["url"]!.GetValue<string>(), xml.Xml.Root!.Element("endpoints")!.Element("endpoint")!.Element("url")!.Value);
    }

    [Fact]
    public async Task Services_are_the_catalogues_minor_classes_grouped_by_major_class_in_both_formats()
    {
        var catalogue = Server.Services.GetRequiredService<ReferenceData>().Categories;
        var json = (await Server.Get("/services.json")).Array;
        Assert.Equal(catalogue.Select(c => c.Code).Order(StringComparer.Ordinal), json.Select(s => s!["service_code"]!.GetValue<string>()));
        var cover = json.Single(s => s!["service_code"]!.GetValue<string>() == "0101")!;
        Assert.Equal("上水井盖", cover["service_name"]!.GetValue<string>());
        Assert.Equal("公用设施", cover["group"]!.GetValue<string>());
        Assert.True(cover["metadata"]!.GetValue<bool>());
        Assert.Equal("realtime", cover["type"]!.GetValue<string>());
        Assert.Contains("Water-supply manhole cover", cover["keywords"]!.GetValue<string>());
        Assert.False(json.Single(s => s!["service_code"]!.GetValue<string>() == "1101")!["metadata"]!.GetValue<bool>());

        var xml = (await Server.Get("/services.xml")).Xml;
        Assert.Equal(json.Select(s => s!["service_code"]!.GetValue<string>()), xml.Root!.Elements("service").Select(s => s.Element("service_code")!.Value));
        Assert.Equal("true", xml.Root.Elements("service").First(s => s.Element("service_code")!.Value == "0101").Element("metadata")!.Value);
    }

    [Fact]
    public async Task A_service_definition_gives_the_categorys_questions_in_both_formats()
    {
        var json = (await Server.Get("/services/1502.json")).Json;
        Assert.Equal("1502", json["service_code"]!.GetValue<string>());
        var attributes = json["attributes"]!.AsArray();
        Assert.Equal(["WATER_DEPTH", "BLOCKING"], attributes.Select(a => a!["code"]!.GetValue<string>()));
        Assert.Equal(["singlevaluelist", "multivaluelist"], attributes.Select(a => a!["datatype"]!.GetValue<string>()));
        Assert.Equal([true, false], attributes.Select(a => a!["required"]!.GetValue<bool>()));
        Assert.Equal([1, 2], attributes.Select(a => a!["order"]!.GetValue<int>()));
        Assert.True(attributes[0]!["variable"]!.GetValue<bool>());
        Assert.Equal(["ANKLE", "KNEE", "DEEPER"], attributes[0]!["values"]!.AsArray().Select(v => v!["key"]!.GetValue<string>()));

        var xml = (await Server.Get("/services/1502.xml")).Xml;
        Assert.Equal(["WATER_DEPTH", "BLOCKING"], xml.Root!.Element("attributes")!.Elements("attribute").Select(a => a.Element("code")!.Value));
        Assert.Equal("number", (await Server.Get("/services/0106.json")).Json["attributes"]![0]!["datatype"]!.GetValue<string>());
        Assert.Empty((await Server.Get("/services/1101.xml")).Xml.Root!.Element("attributes")!.Elements());
    }

    // ---- filing ----

    [Fact]
    public async Task A_partners_request_is_filed_like_a_complaint_sourced_open311_and_recorded_by_the_partner()
    {
        var answer = await Server.Post("json", Request(more: [.. Citizen, ("media_url", "https://photos.example.org/1.jpg"),
            ("attribute[ON_CARRIAGEWAY]", "YES")]));
        Assert.Equal(200, answer.Status);
        var filed = answer.Array.Single()!;
        var number = filed["service_request_id"]!.GetValue<string>();
        Assert.Matches(@"^\d{8}-\d{5}$", number);

        var view = await CaseByNumber(number);
        Assert.Equal("OPEN311", view["source"]!.GetValue<string>());
        Assert.Equal("REPORTED", view["status"]!.GetValue<string>());
        Assert.Equal("0101", view["categoryCode"]!.GetValue<string>());
        Assert.Equal("open311:fixmystreet", view["recordedBy"]!["userId"]!.GetValue<string>());
        Assert.Equal("FixMyStreet (test)", view["recordedBy"]!["name"]!.GetValue<string>());
        Assert.Equal("open311-partner", view["recordedBy"]!["role"]!.GetValue<string>());
        Assert.Equal("Mei Zhang", view["citizen"]!["name"]!.GetValue<string>()); // sealed like a caller; agents see it in full
        Assert.Equal("mei.zhang@example.org", view["citizen"]!["email"]!.GetValue<string>());
        var masked = await Server.PostGraphQL("query($n: String) { case(number: $n) { citizen { name phone email } } }", new { n = number },
            CityCaseServer.Token("dispatcher", "dan"));
        Assert.Equal("""{"name":"M********","phone":"139****2222","email":"m***@example.org"}""", masked.Data!["case"]!["citizen"]!.ToJsonString());
        Assert.Equal("https://photos.example.org/1.jpg", view["mediaUrl"]!.GetValue<string>());
        Assert.Equal(["COVER_STATE", "ON_CARRIAGEWAY"], view["attributes"]!.AsArray().Select(a => a!["code"]!.GetValue<string>()));
        // The same grid look-up and clocks as reportComplaint: a complaint at the same place, filed now.
        var complaint = await Server.PostGraphQL(Samples.ReportComplaint, Samples.Complaint(), CityCaseServer.Token("agent", "alice"));
        var hotline = await CaseByNumber(complaint.Data!["reportComplaint"]!["case"]!["number"]!.GetValue<string>());
        Assert.Equal(hotline["gridCode"]!.GetValue<string>(), view["gridCode"]!.GetValue<string>());
        Assert.Equal(3, view["version"]!.GetValue<int>()); // the report and its filing and citizen clocks, as a complaint
        Assert.Equal(hotline["clocks"]!.ToJsonString(), view["clocks"]!.ToJsonString()); // same clocks, same deadlines (the clock stands still)

        // The notice and the expected time are the citizen clock's deadline, in the city's zone.
        var citizenDue = Instant.FromDateTimeOffset(DateTimeOffset.Parse(view["clocks"]!.AsArray()
            .Single(c => c!["clock"]!.GetValue<string>() == "CITIZEN")!["dueAt"]!.GetValue<string>()));
        var expected = (await Server.Get($"/requests/{number}.json")).Array.Single()!["expected_datetime"]!.GetValue<string>();
        Assert.Equal(citizenDue, Instant.FromDateTimeOffset(DateTimeOffset.Parse(expected)));
        Assert.EndsWith("+08:00", expected);
        Assert.Contains(expected, filed["service_notice"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_post_answer_in_xml_is_valid_georeport()
    {
        var answer = await Server.Post("xml", Request("Cover broken near the school", more: ("attribute[COVER_STATE]", "BROKEN")));
        Assert.Equal(200, answer.Status);
        var request = answer.Xml.Root!.Element("request")!;
        Assert.Matches(@"^\d{8}-\d{5}$", request.Element("service_request_id")!.Value);
        Assert.NotNull(request.Element("service_notice"));
    }

    [Fact]
    public async Task A_partners_retry_files_nothing_new_by_content_or_by_idempotency_key()
    {
        var form = Request("Retry: lamp cover gone at No. 12", more: Citizen);
        var first = await FileAs(form);
        var events = await Server.CountEvents();
        Assert.Equal(first, await FileAs(form)); // the same content within a day: the same request
        Assert.Equal(events, await Server.CountEvents());

        // A key sent as the Idempotency-Key header (or the idempotency_key field) is the retry's identity.
        var keyed = await Server.Post("json", Request("Keyed report"), idempotencyKey: "fms-4711");
        var again = await Server.Post("xml", Request("Keyed report"), idempotencyKey: "fms-4711");
        Assert.Equal(keyed.Array.Single()!["service_request_id"]!.GetValue<string>(), again.Xml.Root!.Element("request")!.Element("service_request_id")!.Value);
        var byField = await FileAs(Request("Keyed by field", more: ("idempotency_key", "fms-4712")));
        Assert.Equal(byField, await FileAs(Request("Keyed by field", more: ("idempotency_key", "fms-4712"))));
        events = await Server.CountEvents();
        var reused = await Server.Post("json", Request("Another report"), idempotencyKey: "fms-4711");
        Assert.Equal(400, reused.Status);
        Assert.Contains("already used with a different request", reused.Array.Single()!["description"]!.GetValue<string>());
        Assert.Equal(events, await Server.CountEvents());

        // The same key from another partner is that partner's own.
        var other = await FileAs(Request("Keyed report", apiKey: OtherPartnerKey, more: ("idempotency_key", "fms-4711")));
        Assert.NotEqual(keyed.Array.Single()!["service_request_id"]!.GetValue<string>(), other);

        // Concurrent retries of one request: one case.
        var form2 = Request("Storm of retries at the bus stop");
        var numbers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => FileAs(form2)));
        Assert.Single(numbers.Distinct());

        // A day later the same content is a new report (the problem came back).
        fixture.Clock.Advance(Duration.FromHours(25));
        Assert.NotEqual(first, await FileAs(form));
    }

    public static TheoryData<string, int, string> BadPosts() => new()
    {
        { "no api_key", 403, "api_key is required" },
        { "wrong api_key", 403, "api_key is not a partner's key" },
        { "no service_code", 400, "service_code is required" },
        { "unknown service_code", 400, "service_code '9999' is not in the category catalogue" },
        { "malformed service_code", 400, "service_code must be 4 digits" },
        { "no location", 400, "lat and long are required" },
        { "address only", 400, "address_string alone cannot be" },
        { "latitude not a number", 400, "lat must be a number from -90 to 90" },
        { "longitude out of range", 400, "long must be a number from -180 to 180" },
        { "outside the district", 400, "outside every unit grid" },
        { "no description", 400, "description must not be empty" },
        { "description too long", 400, "description must be at most 4000 characters" },
        { "required attribute missing", 400, "attribute[COVER_STATE] is required" },
        { "attribute value not listed", 400, "attribute[COVER_STATE] 'GONE' is not one of its values" },
        { "unknown attribute", 400, "attribute[COLOUR] is not a question of category 0101" },
        { "malformed attribute field", 400, "'attribute[COVER_STATE' is not attribute[CODE]" },
        { "media_url not http", 400, "media_url must be an http(s) URL" },
        { "control character", 400, "description contains the control character U+0007" },
        { "nul character", 400, "the form could not be read" }, // refused by ASP.NET's form reader itself
        { "email too long", 400, "citizen.email must be at most 254 characters" },
        { "json body", 400, "POST the request as a form" },
    };

    private static HttpContent BadPost(string what)
    {
        var form = Request();
        void Set(string key, string? value)
        {
            form.RemoveAll(f => f.Key == key);
            if (value is not null) form.Add(new(key, value));
        }
        switch (what)
        {
            case "no api_key": Set("api_key", null); break;
            case "wrong api_key": Set("api_key", "guess"); break;
            case "no service_code": Set("service_code", null); break;
            case "unknown service_code": Set("service_code", "9999"); Set("attribute[COVER_STATE]", null); break;
            case "malformed service_code": Set("service_code", "lamp"); Set("attribute[COVER_STATE]", null); break;
            case "no location": Set("lat", null); Set("long", null); Set("address_string", null); break;
            case "address only": Set("lat", null); Set("long", null); break;
            case "latitude not a number": Set("lat", "north"); break;
            case "longitude out of range": Set("long", "181"); break;
            case "outside the district": Set("lat", "39.9"); Set("long", "116.4"); break;
            case "no description": Set("description", " "); break;
            case "description too long": Set("description", new string('x', 4001)); break;
            case "required attribute missing": Set("attribute[COVER_STATE]", null); break;
            case "attribute value not listed": Set("attribute[COVER_STATE]", "GONE"); break;
            case "unknown attribute": Set("attribute[COLOUR]", "RED"); break;
            case "malformed attribute field": Set("attribute[COVER_STATE", "MISSING"); break;
            case "media_url not http": Set("media_url", "ftp://photos.example.org/1.jpg"); break;
            case "control character": Set("description", "Cover\u0007gone"); break;
            case "nul character": Set("description", "Cover\0gone"); break;
            case "email too long": Set("email", new string('e', 250) + "@x.org"); break;
            case "json body": return new StringContent("{\"service_code\":\"0101\"}", Encoding.UTF8, "application/json");
        }
        return new FormUrlEncodedContent(form);
    }

    [Theory]
    [MemberData(nameof(BadPosts))]
    public async Task A_bad_post_is_refused_with_the_specs_error_list_in_both_formats_and_files_nothing(string what, int status, string description)
    {
        var events = await Server.CountEvents();
        var json = await Server.PostRaw("json", BadPost(what));
        Assert.Equal(status, json.Status);
        Assert.Equal("application/json", json.MediaType);
        var error = json.Array.Single()!;
        Assert.Equal(status, error["code"]!.GetValue<int>());
        Assert.True(error["description"]!.GetValue<string>().Contains(description), json.ToString());

        var xml = await Server.PostRaw("xml", BadPost(what));
        Assert.Equal(status, xml.Status);
        var xmlError = xml.Xml.Root!.Element("error")!;
        Assert.Equal(status.ToString(), xmlError.Element("code")!.Value);
        Assert.Equal(error["description"]!.GetValue<string>(), xmlError.Element("description")!.Value);
        Assert.Equal(events, await Server.CountEvents());
    }

    // ---- reading ----

    [Fact]
    public async Task A_request_reads_back_by_id_in_both_formats_with_its_status_service_agency_times_place_and_media()
    {
        var number = await File(("media_url", "https://photos.example.org/2.jpg"));
        var json = (await Server.Get($"/requests/{number}.json")).Array.Single()!;
        Assert.Equal(number, json["service_request_id"]!.GetValue<string>());
        Assert.Equal("open", json["status"]!.GetValue<string>());
        Assert.Equal("Received; awaiting acceptance.", json["status_notes"]!.GetValue<string>());
        Assert.Equal("上水井盖", json["service_name"]!.GetValue<string>());
        Assert.Equal("0101", json["service_code"]!.GetValue<string>());
        Assert.StartsWith("The manhole cover is gone (report ", json["description"]!.GetValue<string>());
        Assert.Null(json["agency_responsible"]); // not dispatched yet
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$", json["requested_datetime"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$", json["updated_datetime"]!.GetValue<string>());
        Assert.Equal("88 Jiefang Road", json["address"]!.GetValue<string>());
        Assert.Equal(31.2304, json["lat"]!.GetValue<double>());
        Assert.Equal(121.4737, json["long"]!.GetValue<double>());
        Assert.Equal("https://photos.example.org/2.jpg", json["media_url"]!.GetValue<string>());

        var xml = (await Server.Get($"/requests/{number}.xml")).Xml.Root!.Element("request")!;
        foreach (var field in new[] { "service_request_id", "status", "status_notes", "service_code", "requested_datetime", "expected_datetime", "address", "media_url" })
            Assert.Equal(json[field]!.GetValue<string>(), xml.Element(field)!.Value);
        Assert.Equal("31.2304", xml.Element("lat")!.Value);

        // Dispatched: the department answers for it.
        var id = (await CaseByNumber(number))["id"]!.GetValue<string>();
        await Mutate("acceptCase", new { caseId = id, categoryCode = "0101", urgency = "NORMAL" });
        await Mutate("dispatchCase", new { caseId = id, departmentCode = "D05" });
        var dispatched = (await Server.Get($"/requests/{number}.json")).Array.Single()!;
        var d05 = Server.Services.GetRequiredService<ReferenceData>().DepartmentsByCode["D05"].Name;
        Assert.Equal(d05, dispatched["agency_responsible"]!.GetValue<string>());
        Assert.Equal($"Sent to {d05}.", dispatched["status_notes"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("json")]
    [InlineData("xml")]
    public async Task An_unknown_request_service_token_or_format_is_404(string format)
    {
        foreach (var path in new[] { $"/requests/20261124-99999.{format}", $"/services/9999.{format}", $"/tokens/abc.{format}" })
        {
            var answer = await Server.Get(path);
            Assert.Equal(404, answer.Status);
            if (format == "json") Assert.Equal(404, answer.Array.Single()!["code"]!.GetValue<int>());
            else Assert.Equal("404", answer.Xml.Root!.Element("error")!.Element("code")!.Value);
        }
        var csv = await Server.Get("/services.csv");
        Assert.Equal(404, csv.Status);
        Assert.Contains("format 'csv' is not served", csv.Array.Single()!["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Closed_rejected_voided_merged_and_suspended_cases_read_as_the_status_table_says()
    {
        var rejected = await File();
        var voided = await File();
        var merged = await File();
        var original = await File();
        var suspended = await File();
        string Id(JsonNode view) => view["id"]!.GetValue<string>();
        await Mutate("rejectCase", new { caseId = Id(await CaseByNumber(rejected)), reason = "Not a city matter: Li Wei's own yard" });
        await Mutate("voidCase", new { caseId = Id(await CaseByNumber(voided)), reason = "Filed by mistake" });
        await Mutate("mergeCase", new { caseId = Id(await CaseByNumber(merged)), intoCaseId = Id(await CaseByNumber(original)) });
        var suspendedId = Id(await CaseByNumber(suspended));
        await Mutate("acceptCase", new { caseId = suspendedId, categoryCode = "0101", urgency = "NORMAL" });
        await Mutate("notifyCitizen", new { caseId = suspendedId, kind = "ACCEPTANCE", channel = "SMS" }, "agent");
        await Mutate("suspendCase", new { caseId = suspendedId, reason = "Road works until spring" });

        foreach (var format in Formats)
        {
            var answer = await Server.Get($"/requests.{format}?service_request_id={rejected},{voided},{merged},{original},{suspended}");
            var byId = format == "json"
                ? answer.Array.ToDictionary(r => r!["service_request_id"]!.GetValue<string>(),
                    r => (r!["status"]!.GetValue<string>(), r["status_notes"]!.GetValue<string>()))
                : answer.Xml.Root!.Elements("request").ToDictionary(r => r.Element("service_request_id")!.Value,
                    r => (r.Element("status")!.Value, r.Element("status_notes")!.Value));
            Assert.Equal(("closed", "Closed without action: the report was not accepted."), byId[rejected]);
            Assert.Equal(("closed", "Closed without action: withdrawn as filed by mistake."), byId[voided]);
            Assert.Equal(("closed", $"Closed as a duplicate: merged into request {original}; follow that request."), byId[merged]);
            Assert.Equal("open", byId[original].Item1);
            Assert.Equal("open", byId[suspended].Item1);
            Assert.StartsWith("Suspended: the work is on hold", byId[suspended].Item2);
            Assert.EndsWith("The citizen was told it was accepted.", byId[suspended].Item2);
            Assert.DoesNotContain("Li Wei", answer.Text); // staff's reasons are never published
        }
    }

    [Fact]
    public async Task The_filters_select_by_ids_service_status_dates_and_page()
    {
        // A request 100 days ago, then today's: the default window is the last 90 days.
        var old = await FileAs(Request("Old flood in the underpass", "1502", more: ("attribute[WATER_DEPTH]", "KNEE")));
        fixture.Clock.Advance(Duration.FromDays(100));
        var lamp = await FileAs(Request("Three lamps out", "0106", more: ("attribute[LAMPS_OUT]", "4")));
        var cover = await File();
        var voided = await File();
        await Mutate("voidCase", new { caseId = (await CaseByNumber(voided))["id"]!.GetValue<string>(), reason = "Filed by mistake" });

        async Task<List<string>> Ids(string query, string format = "json")
        {
            var answer = await Server.Get($"/requests.{format}{query}");
            Assert.True(answer.Status == 200, answer.ToString());
            return format == "json"
                ? [.. answer.Array.Select(r => r!["service_request_id"]!.GetValue<string>())]
                : [.. answer.Xml.Root!.Elements("request").Select(r => r.Element("service_request_id")!.Value)];
        }

        foreach (var format in Formats)
        {
            var recent = await Ids("", format);
            Assert.Contains(lamp, recent);
            Assert.DoesNotContain(old, recent);
            Assert.Equal(recent.OrderByDescending(n => n, StringComparer.Ordinal), recent); // newest first
            // Ids override every other filter, the 90 days included.
            Assert.Equal([old], await Ids($"?service_request_id={old}&status=open&service_code=0106", format));
            Assert.Equal([lamp], await Ids("?service_code=0106", format));
            Assert.Contains(cover, await Ids("?service_code=0106,0101&status=open", format));
            Assert.Contains(voided, await Ids("?status=closed", format));
            Assert.DoesNotContain(voided, await Ids("?status=open", format));
            Assert.DoesNotContain(cover, await Ids("?status=closed", format));
            var now = fixture.Clock.GetCurrentInstant();
            string W3c(Instant at) => Uri.EscapeDataString(at.InZone(DateTimeZoneProviders.Tzdb["Asia/Shanghai"]).ToString("uuuu-MM-dd'T'HH:mm:sso<+HH:mm>", null));
            Assert.Empty(await Ids($"?start_date={W3c(now + Duration.FromMinutes(1))}", format));
            Assert.Contains(lamp, await Ids($"?start_date={W3c(now - Duration.FromHours(1))}&end_date={W3c(now)}", format));
            Assert.Equal([old], await Ids($"?end_date={W3c(now - Duration.FromDays(99))}&service_code=1502", format));
            Assert.Equal([old], await Ids($"?start_date={W3c(now - Duration.FromDays(101))}&end_date={W3c(now - Duration.FromDays(95))}&service_code=1502", format));
            // A date alone is its start in the city's zone.
            var today = now.InZone(DateTimeZoneProviders.Tzdb["Asia/Shanghai"]).Date;
            Assert.Contains(lamp, await Ids($"?start_date={today:yyyy-MM-dd}", format));
            Assert.DoesNotContain(lamp, await Ids($"?end_date={today.PlusDays(-1):yyyy-MM-dd}", format));
            // UTC with Z is a w3c date-time too.
            Assert.Contains(lamp, await Ids($"?start_date={Uri.EscapeDataString((now - Duration.FromHours(1)).ToString())}", format));
        }

        // Pages: disjoint, in order, together the whole list.
        var all = await Ids("?status=open,closed");
        var first = await Ids("?page_size=2");
        var second = await Ids("?page_size=2&page=2");
        Assert.Equal(all.Take(4), first.Concat(second));
        Assert.Equal(2, first.Count);
    }

    public static TheoryData<string, string> BadQueries() => new()
    {
        { "?status=pending", "status must be open or closed" },
        { "?service_code=9999", "service_code '9999' is not a service of this city" },
        { "?start_date=yesterday", "start_date must be a w3c date-time" },
        { "?end_date=2026-13-01T00:00:00Z", "end_date must be a w3c date-time" },
        { "?start_date=2026-11-20T00:00:00Z&end_date=2026-11-10T00:00:00Z", "end_date must not be before start_date" },
        { "?start_date=2026-01-01T00:00:00Z&end_date=2026-11-10T00:00:00Z", "at most 90 days apart" },
        { "?page=0", "page must be a whole number from 1" },
        { "?page_size=1001", "page_size must be a whole number from 1 to 1000" },
        { "?page_size=ten", "page_size must be a whole number" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task A_bad_query_is_400_with_the_error_list_in_both_formats(string query, string description)
    {
        var json = await Server.Get("/requests.json" + query);
        Assert.Equal(400, json.Status);
        Assert.Contains(description, json.Array.Single()!["description"]!.GetValue<string>());
        var xml = await Server.Get("/requests.xml" + query);
        Assert.Equal(400, xml.Status);
        Assert.Contains(description, xml.Xml.Root!.Element("error")!.Element("description")!.Value);
    }

    [Fact]
    public async Task No_public_answer_holds_a_citizens_name_phone_or_email()
    {
        var number = await File(Citizen);
        var complaint = await Server.PostGraphQL(Samples.ReportComplaint, Samples.Complaint("Hotline: Li Wei at 13800000000 says the lamp is out"),
            CityCaseServer.Token("agent", "alice"));
        var hotline = complaint.Data!["reportComplaint"]!["case"]!["number"]!.GetValue<string>();

        var answers = new List<Open311Answer>
        {
            await Server.Post("json", Request(more: Citizen)), await Server.Post("xml", Request(more: Citizen)),
        };
        foreach (var format in Formats)
        {
            answers.Add(await Server.Get($"/requests.{format}"));
            answers.Add(await Server.Get($"/requests.{format}?service_request_id={number},{hotline}"));
            answers.Add(await Server.Get($"/requests/{number}.{format}"));
            answers.Add(await Server.Get($"/requests/{hotline}.{format}"));
        }
        foreach (var answer in answers)
        {
            Assert.Equal(200, answer.Status);
            foreach (var personal in PersonalData) Assert.DoesNotContain(personal, answer.Text);
        }
        // The hotline case is listed (its status, place and times are public), without the caller's words.
        var listed = (await Server.Get($"/requests/{hotline}.json")).Array.Single()!;
        Assert.Null(listed["description"]);
        Assert.Equal("open", listed["status"]!.GetValue<string>());
    }

    /// <summary>
    /// The npm open311 client (codeforamerica/node-open311, 0.0.12: the one GeoReport v2 client the registries here serve)
    /// under Node, as a partner's app uses it: discovery with caching, the service list, a definition, a submitted request
    /// with its required answers, and that request read back. Its two XML-only dependencies are not installable here (one is
    /// a git repository, the other a native add-on), so small stand-ins that refuse XML take their place; the client's
    /// own code runs unchanged, in JSON.
    /// </summary>
    [Fact]
    public async Task The_npm_open311_client_discovers_lists_submits_and_reads_back()
    {
        var folder = Repository.PathTo("tests", "CityCase.IntegrationTests", "Open311", "client");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "open311")))
        {
            var npm = await Run(folder, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error");
            Assert.True(npm.ExitCode == 0, $"npm install failed:\n{npm.Output}");
        }
        var discovery = new Uri(Server.BaseAddress, "/open311/v2/discovery.json").ToString();
        var run = await Run(folder, "node", "georeport.mjs", discovery, PartnerKey, "0102", "31.2304", "121.4737");
        Assert.True(run.ExitCode == 0, run.Output);
        JsonNode Step(string step) =>
            JsonNode.Parse(run.Output.Split('\n').Single(l => l.StartsWith(step + " ", StringComparison.Ordinal))[(step.Length + 1)..])!;

        Assert.Equal($"{Server.BaseAddress.ToString().TrimEnd('/')}/open311/v2/", Step("DISCOVERY")["endpoint"]!.GetValue<string>());
        Assert.Equal("json", Step("DISCOVERY")["format"]!.GetValue<string>());
        Assert.Contains("0102", Step("SERVICES").AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal("COVER_STATE", Step("DEFINITION")["attributes"]![0]!["code"]!.GetValue<string>());
        var number = Step("SUBMIT")[0]!["service_request_id"]!.GetValue<string>();
        var read = Step("READ").AsArray().Single()!;
        Assert.Equal(number, read["service_request_id"]!.GetValue<string>());
        Assert.Equal("open", read["status"]!.GetValue<string>());
        Assert.Equal("0102", read["service_code"]!.GetValue<string>());
        Assert.Equal("https://photos.example.org/cover.jpg", read["media_url"]!.GetValue<string>());
        Assert.Equal("Reported from a partner app: the cover is gone", read["description"]!.GetValue<string>());
        foreach (var personal in new[] { "Mei", "13911112222", "mei.zhang@example.org" }) Assert.DoesNotContain(personal, read.ToJsonString());

        // Filed through the same intake: an OPEN311 case recorded by the partner, answering the required question.
        var view = await CaseByNumber(number);
        Assert.Equal("OPEN311", view["source"]!.GetValue<string>());
        Assert.Equal("open311:fixmystreet", view["recordedBy"]!["userId"]!.GetValue<string>());
        Assert.Equal("COVER_STATE", view["attributes"]![0]!["code"]!.GetValue<string>());
        Assert.Equal("Mei Zhang", view["citizen"]!["name"]!.GetValue<string>());
    }

    private static async Task<(int ExitCode, string Output)> Run(string folder, string program, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program)
        {
            WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw new TimeoutException($"{program} did not finish in 3 minutes"); }
        return (process.ExitCode, (await output) + (await error));
    }

    [Theory]
    [InlineData("bad id", "Partner", null, "Open311:Partners:0:Id must be letters")]
    [InlineData("fms", " ", null, "Open311:Partners:0:Name is missing")]
    [InlineData("fms", "FixMyStreet", "not-a-hash", "Open311:Partners:0:KeySha256 must be the SHA-256")]
    public void A_partner_configured_wrongly_stops_the_server_naming_it(string id, string name, string? hash, string problem)
    {
        var settings = new CityCase.Api.Open311.Open311Settings { Partners = [new() { Id = id, Name = name, KeySha256 = hash ?? Sha256("k") }] };
        Assert.Contains(problem, Assert.Throws<InvalidOperationException>(() => settings.Validated()).Message);
    }

    [Fact]
    public void Two_partners_with_one_id_or_one_key_are_refused_and_a_key_finds_only_its_partner()
    {
        CityCase.Api.Open311.Open311Partner Partner(string id, string key) => new() { Id = id, Name = id, KeySha256 = Sha256(key) };
        Assert.Contains("configured twice", Assert.Throws<InvalidOperationException>(() =>
            new CityCase.Api.Open311.Open311Settings { Partners = [Partner("a", "k1"), Partner("a", "k2")] }.Validated()).Message);
        Assert.Contains("same key", Assert.Throws<InvalidOperationException>(() =>
            new CityCase.Api.Open311.Open311Settings { Partners = [Partner("a", "k1"), Partner("b", "k1")] }.Validated()).Message);
        var settings = new CityCase.Api.Open311.Open311Settings { Partners = [Partner("a", "k1"), Partner("b", "k2")] }.Validated();
        Assert.Equal("b", settings.PartnerFor("k2")!.Id);
        Assert.Null(settings.PartnerFor("k3"));
        Assert.Equal(new CityCase.Domain.Actor("open311:b", "b", "open311-partner"), settings.PartnerFor("k2")!.Actor);
    }

    [Fact]
    public async Task Every_http_path_beside_graphql_and_health_has_an_entry_in_the_access_policy()
    {
        var served = Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } path && !path.StartsWith("/graphql", StringComparison.Ordinal)
                && !path.StartsWith("/health", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(m => $"{m} {e.RoutePattern.RawText}"))
            .Order().ToList();
        Assert.Contains("POST /open311/v2/requests.{format}", served);
        Assert.Contains("GET /board", served);
        Assert.Equal(AccessPolicy.HttpEndpoints.Keys.Order(), served);
    }
}

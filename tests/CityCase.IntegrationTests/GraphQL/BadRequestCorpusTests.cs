using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityCase.IntegrationTests.Infrastructure;

namespace CityCase.IntegrationTests.GraphQL;

/// <summary>
/// A hostile client's corpus: malformed, huge, deep, wide and forged requests, and inputs out of range. Every one
/// gets a 4xx or a GraphQL error with a code (never a 5xx or INTERNAL_SERVER_ERROR), none appends an event, and the
/// server stays healthy.
/// </summary>
public sealed class BadRequestCorpusTests(CityCaseServer server) : IClassFixture<CityCaseServer>
{
    private static readonly string Agent = CityCaseServer.Token("agent", "alice");
    private static readonly string Dispatcher = CityCaseServer.Token("dispatcher", "dan");
    private static readonly string Device = CityCaseServer.Token("device", "gateway-9");
    private static readonly string Nobody = Guid.Empty.ToString();

    private static HttpRequestMessage Post(string body, string contentType = "application/json", string? token = null) =>
        Bytes(Encoding.UTF8.GetBytes(body), contentType, token);

    private static HttpRequestMessage Bytes(byte[] body, string? contentType, string? token = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = new ByteArrayContent(body) };
        if (contentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static HttpRequestMessage Gql(string query, object? variables = null, string? token = null) =>
        Post(JsonSerializer.Serialize(new { query, variables }), token: token);

    private static HttpRequestMessage Get(string query) => new(HttpMethod.Get, "/graphql?query=" + Uri.EscapeDataString(query));

    private const string Report = "mutation($input: ReportComplaintInput!) { reportComplaint(input: $input) { case { id } } }";

    private static object Complaint(string description = "Lamp out", string? name = "Li Wei", string? phone = "13800000000",
        string? address = null, double longitude = 121.4737, double latitude = 31.2304, string? key = null, string? category = null) =>
        new { input = new { description, idempotencyKey = key, categoryCode = category, location = new { longitude, latitude, address }, citizen = new { name, phone } } };

    private static string Nested(int depth) => "{ grids { " + string.Concat(Enumerable.Repeat("__typename ... on Grid { ", depth)) + "code" + new string('}', depth) + " } }";

    private static string Aliases(int count, string field) => "{ " + string.Join(" ", Enumerable.Range(0, count).Select(i => $"a{i}: {field}")) + " }";

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Unsigned(string payload) =>
        $"{Base64Url("""{"alg":"none","typ":"JWT"}""")}.{Base64Url(payload)}.";

    private static string Base64Url(string text) => Base64(text).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static IEnumerable<(string Name, Func<HttpRequestMessage> Request)> Corpus()
    {
        // The body itself.
        yield return ("malformed JSON", () => Post("{"));
        yield return ("query is a number", () => Post("""{"query": 5}"""));
        yield return ("an empty batch", () => Post("[]"));
        yield return ("a batch of queries", () => Post("""[{"query":"{ departments { code } }"},{"query":"{ grids { code } }"}]"""));
        yield return ("null body", () => Post("null"));
        yield return ("empty body", () => Post(""));
        yield return ("invalid UTF-8", () => Bytes([0x7b, 0x22, 0x71, 0xff, 0xfe, 0x22, 0x3a, 0x22, 0x7d], "application/json"));
        yield return ("a 300 KiB body", () => Gql("{ departments { code } }", new { padding = new string('x', 300 * 1024) }));
        yield return ("text/plain", () => Post("""{"query":"{ departments { code } }"}""", "text/plain"));
        yield return ("no content type", () => Bytes(Encoding.UTF8.GetBytes("""{"query":"{ departments { code } }"}"""), null));
        yield return ("application/xml", () => Post("<query/>", "application/xml"));
        yield return ("empty query", () => Post("""{"query": ""}"""));
        yield return ("variables not an object", () => Post("""{"query":"{ departments { code } }","variables":"x"}"""));
        yield return ("a PUT", () => new HttpRequestMessage(HttpMethod.Put, "/graphql") { Content = new StringContent("{}", Encoding.UTF8, "application/json") });
        yield return ("a mutation over GET", () => Get("""mutation { reloadCalendar { version } }"""));
        yield return ("a GET without a query", () => new HttpRequestMessage(HttpMethod.Get, "/graphql"));
        // The document.
        yield return ("a syntax error", () => Gql("{ departments { code }"));
        yield return ("30 levels deep", () => Gql(Nested(30)));
        yield return ("past the parser's depth", () => Gql(new string('{', 300) + new string('}', 300)));
        yield return ("a 25-level introspection", () => Gql("{ __schema { types { fields { type " + string.Concat(Enumerable.Repeat("{ ofType ", 21)) + "{ name }" + new string('}', 21) + " } } } }"));
        yield return ("5,000 aliased case look-ups", () => Gql(Aliases(5000, "case(number: \\\"1\\\") { id }".Replace("\\\"", "\"")), token: Dispatcher));
        yield return ("400 aliased reference reads", () => Gql(Aliases(400, "departments { code }")));
        yield return ("500 aliased mutations", () => Gql("mutation " + Aliases(500, "reloadCalendar { version }"), token: Agent));
        yield return ("50 aliased complaints", () => Gql("mutation " + Aliases(50, "reportComplaint(input: { description: \"x\", location: { longitude: 121.4737, latitude: 31.2304 } }) { case { id } }"), token: Agent));
        yield return ("a fragment cycle", () => Gql("query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"));
        yield return ("an unknown fragment", () => Gql("query { ...Missing }"));
        yield return ("an undefined variable", () => Gql("{ case(number: $n) { id } }", token: Dispatcher));
        yield return ("a variable of the wrong type", () => Gql("query($n: Int) { case(number: $n) { id } }", new { n = 5 }, Dispatcher));
        yield return ("an unknown operation name", () => Post("""{"query":"query A { departments { code } }","operationName":"B"}"""));
        yield return ("two operations and no name", () => Gql("query A { departments { code } } query B { grids { code } }"));
        yield return ("an unknown field", () => Gql("{ departments { budget } }"));
        // The token.
        yield return ("a forged signature", () => Gql("{ calendarHistory { version } }", token: Agent[..^4] + "AAAA"));
        yield return ("garbage for a token", () => Gql("{ calendarHistory { version } }", token: "not-a-jwt"));
        yield return ("alg none", () => Gql("{ calendarHistory { version } }", token: Unsigned("""{"sub":"x","role":"admin","iss":"citycase","aud":"citycase","exp":4102444800}""")));
        yield return ("a made-up role", () => Gql("{ cases(first: 1) { edges { cursor } } }", token: CityCaseServer.Token("janitor")));
        yield return ("a device reading a case", () => Gql($$"""{ case(id: "{{Nobody}}") { id } }""", token: Device));
        // Text.
        yield return ("NUL in a description", () => Gql(Report, Complaint(description: "lamp\u0000out"), Agent));
        yield return ("NUL in a name", () => Gql(Report, Complaint(name: "Li\u0000Wei"), Agent));
        yield return ("NUL in an idempotency key", () => Gql(Report, Complaint(key: "k\u0000"), Agent));
        yield return ("NUL in a case number", () => Gql("query($n: String) { case(number: $n) { id } }", new { n = "2026\u0000" }, Dispatcher));
        yield return ("a bell in an address", () => Gql(Report, Complaint(address: "88 Jiefang\u0007 Road"), Agent));
        yield return ("a cursor of NUL", () => Gql("query($a: String) { cases(first: 1, after: $a) { edges { cursor } } }", new { a = Base64("\0") }, Dispatcher));
        yield return ("a cursor not in base64", () => Gql("""{ cases(first: 1, after: "%%%") { edges { cursor } } }""", token: Dispatcher));
        yield return ("a 100 KB sensor id", () => Gql("mutation($i: RaiseSensorAlarmInput!) { raiseSensorAlarm(input: $i) { deduplicated } }",
            new { i = new { sensorId = new string('s', 100_000), alarmType = "X", severity = "HIGH", location = new { longitude = 121.4737, latitude = 31.2304 } } }, Device));
        yield return ("a 200-character sensor id", () => Gql("mutation($i: RaiseSensorAlarmInput!) { raiseSensorAlarm(input: $i) { deduplicated } }",
            new { i = new { sensorId = new string('s', 200), alarmType = "X", severity = "HIGH", location = new { longitude = 121.4737, latitude = 31.2304 } } }, Device));
        yield return ("a 5,000-character description", () => Gql(Report, Complaint(description: new string('x', 5000)), Agent));
        yield return ("a description of zero-width spaces", () => Gql(Report, Complaint(description: "\u200B\u200B\u2060 \uFEFF"), Agent));
        yield return ("a 200-character name", () => Gql(Report, Complaint(name: new string('n', 200)), Agent));
        yield return ("a 100-character phone", () => Gql(Report, Complaint(phone: new string('1', 100)), Agent));
        yield return ("a 1,000-character address", () => Gql(Report, Complaint(address: new string('a', 1000)), Agent));
        yield return ("10,000 photo links", () => Gql("mutation($i: ReportPatrolFindingInput!) { reportPatrolFinding(input: $i) { case { id } } }",
            new { i = new { description = "x", categoryCode = "0201", photoUrls = Enumerable.Repeat("https://p.example/1.jpg", 10_000), location = new { longitude = 121.4737, latitude = 31.2304 } } },
            CityCaseServer.Token("inspector", "ivan")));
        yield return ("30 photo links", () => Gql("mutation($i: ReportPatrolFindingInput!) { reportPatrolFinding(input: $i) { case { id } } }",
            new { i = new { description = "x", categoryCode = "0201", photoUrls = Enumerable.Repeat("https://p.example/1.jpg", 30), location = new { longitude = 121.4737, latitude = 31.2304 } } },
            CityCaseServer.Token("inspector", "ivan")));
        yield return ("a 3,000-character reason", () => Gql("mutation($i: RejectCaseInput!) { rejectCase(input: $i) { case { id } } }",
            new { i = new { caseId = Nobody, reason = new string('r', 3000) } }, Dispatcher));
        // Values out of range.
        yield return ("a page of 1,000", () => Gql("{ cases(first: 1000) { edges { cursor } } }", token: Dispatcher));
        yield return ("a page of -1", () => Gql("{ cases(first: -1) { edges { cursor } } }", token: Dispatcher));
        yield return ("latitude 1e308", () => Gql(Report, Complaint(latitude: 1e308), Agent));
        yield return ("a point outside the district", () => Gql(Report, Complaint(longitude: 0, latitude: 0), Agent));
        yield return ("a category of letters", () => Gql(Report, Complaint(category: "ABCD"), Agent));
        yield return ("an unknown category", () => Gql(Report, Complaint(category: "9999"), Agent));
        yield return ("a case id that is no UUID", () => Gql("""{ caseHistory(id: "lamp") { type } }""", token: Dispatcher));
        yield return ("an instant that is no instant", () => Gql($$"""{ caseAsOf(id: "{{Nobody}}", at: "yesterday") { id } }""", token: Dispatcher));
        yield return ("a date that is no date", () => Gql("""{ hotlineKpis(from: "2026-13-45", to: "2026-11-30") { followUpRate } }""", token: CityCaseServer.Token("analyst")));
        yield return ("a reversed range", () => Gql("""{ scorecards(dimension: DEPARTMENT, from: "2026-11-30", to: "2026-11-01") { subject } }""", token: CityCaseServer.Token("analyst")));
        yield return ("a range of 1,000 days", () => Gql("""{ scorecards(dimension: DEPARTMENT, from: "2024-01-01", to: "2026-09-27") { subject } }""", token: CityCaseServer.Token("analyst")));
        yield return ("an unknown enum value", () => Gql("mutation($i: AcceptCaseInput!) { acceptCase(input: $i) { case { id } } }",
            new { i = new { caseId = Nobody, categoryCode = "0101", urgency = "SUPER" } }, Dispatcher));
        yield return ("an unknown input field", () => Gql(Report, new { input = new { description = "x", location = new { longitude = 121.47, latitude = 31.23 }, priority = 1 } }, Agent));
        yield return ("a missing input field", () => Gql(Report, new { input = new { description = "x" } }, Agent));
        yield return ("a billion extra hours", () => Gql("mutation($i: RequestExtensionInput!) { requestExtension(input: $i) { case { id } } }",
            new { i = new { caseId = Nobody, extraWorkingHours = 1e9, reason = "x" } }, CaseClient.Department("D02")));
    }

    [Fact]
    public void The_corpus_holds_at_least_sixty_bad_requests() => Assert.True(Corpus().Count() >= 60, $"{Corpus().Count()} requests");

    [Fact]
    public async Task Every_bad_request_gets_a_4xx_or_a_coded_error_appends_nothing_and_the_server_stays_healthy()
    {
        var before = await server.CountEvents();
        var failures = new List<string>();
        foreach (var (name, request) in Corpus())
        {
            using var message = request();
            using var response = await server.Http.SendAsync(message);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            if (status >= 500) { failures.Add($"{name}: {status} {text[..Math.Min(200, text.Length)]}"); continue; }
            if (text.Contains("   at ")) failures.Add($"{name}: a stack trace in the answer");
            if (status is >= 400 and < 500) continue;
            var codes = (JsonNode.Parse(text)?["errors"] as JsonArray)?.Select(e => (string?)e?["extensions"]?["code"]).ToList() ?? [];
            if (codes.Count == 0 || codes.Any(c => c is null or "INTERNAL_SERVER_ERROR"))
                failures.Add($"{name}: {status} without a coded error: {text[..Math.Min(300, text.Length)]}");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await server.CountEvents());
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/health")).StatusCode);
    }
}

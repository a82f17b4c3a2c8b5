using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CityCase.IntegrationTests.Infrastructure;
using MiniExcelLibs;
using nietras.SeparatedValues;
using NodaTime.Testing;

namespace CityCase.IntegrationTests.Exports;

/// <summary>One busy scripted day, exported: the server pages cases 7 at a time, so every cases export spans several pages.</summary>
public sealed class ExportDay : IAsyncLifetime
{
    // A citizen's words that a CSV must carry intact: a comma, quotes, a line break, Chinese, and a formula at the start.
    public const string TrickyDescription = "=HYPERLINK(\"http://x\"),\"井盖\" 缺失, 路口\r\n第二行";

    private readonly FakeClock _clock = new(BusyDay.Start);

    public CityCaseServer Server { get; private set; } = null!;
    public CaseClient Client { get; private set; } = null!;
    public string TrickyNumber { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = new CityCaseServer { Clock = _clock, Arguments = ["--Sla:PollSeconds", "0", "--Exports:PageSize", "7"] };
        await Server.InitializeAsync();
        Client = new CaseClient(Server);
        await new BusyDay(Server, _clock).PlayAsync(30);
        (_, TrickyNumber) = await Client.Report(TrickyDescription);
        await Server.WaitForProjectionsAsync();
    }

    public Task DisposeAsync() => Server.DisposeAsync();
}

public sealed class ExportTests(ExportDay day) : IClassFixture<ExportDay>
{
    private CityCaseServer Server => day.Server;
    private CaseClient Client => day.Client;

    private async Task<HttpResponseMessage> Get(string pathAndQuery, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Server.Http.SendAsync(request);
    }

    private sealed record Csv(IReadOnlyList<string> Header, IReadOnlyList<Dictionary<string, string>> Rows, byte[] Bytes);

    private async Task<Csv> GetCsv(string pathAndQuery, string token)
    {
        using var response = await Get(pathAndQuery, token);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{pathAndQuery}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]); // the BOM: Excel then reads UTF-8, and Chinese text shows as written
        // Read back with another library (Sep), unescaping quotes as RFC 4180 says.
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true }).FromText(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        var header = reader.Header.ColNames.ToList();
        var rows = new List<Dictionary<string, string>>();
        foreach (var row in reader)
        {
            var fields = new Dictionary<string, string>();
            foreach (var name in header) fields[name] = row[name].ToString();
            rows.Add(fields);
        }
        return new Csv(header, rows, bytes);
    }

    /// <summary>Every case number the GraphQL field answers the token, paged through.</summary>
    private async Task<List<string>> GraphQLNumbers(string token, string filter = "{}") =>
        (await GraphQLCases(token, filter)).Select(c => c.Number).ToList();

    /// <summary>Every case the GraphQL field answers the token, paged through: its number and status.</summary>
    private async Task<List<(string Number, string Status)>> GraphQLCases(string token, string filter = "{}")
    {
        var numbers = new List<(string, string)>();
        string? after = null;
        while (true)
        {
            var page = await Server.PostGraphQL($$"""
                query($after: String) { cases(filter: {{filter}}, first: 100, after: $after) { edges { node { number status } } pageInfo { hasNextPage endCursor } } }
                """, new { after }, token);
            Assert.True(page.Errors is null, page.ToString());
            var cases = page.Data!["cases"]!;
            numbers.AddRange(cases["edges"]!.AsArray().Select(e => (e!["node"]!["number"]!.GetValue<string>(), e["node"]!["status"]!.GetValue<string>())));
            if (!cases["pageInfo"]!["hasNextPage"]!.GetValue<bool>()) return numbers;
            after = cases["pageInfo"]!["endCursor"]!.GetValue<string>();
        }
    }

    [Fact]
    public async Task Cases_csv_has_every_case_of_the_graphql_field_over_several_pages_with_rfc4180_quoting_and_formulas_defused()
    {
        var csv = await GetCsv("/exports/cases.csv", Client.Dispatcher);

        var cases = await GraphQLCases(Client.Dispatcher);
        var numbers = cases.Select(c => c.Number).ToList();
        Assert.True(numbers.Count > 3 * 7, $"the day has {numbers.Count} cases: several pages of 7");
        Assert.Equal(cases, csv.Rows.Select(r => (r["number"], r["status"]))); // statuses named as GraphQL names them
        Assert.Contains(csv.Rows, r => r["status"] == "IN_PROGRESS");
        Assert.Contains("citizenPhone", csv.Header);

        var tricky = csv.Rows.Single(r => r["number"] == day.TrickyNumber);
        // Intact once unquoted, but for the ' that makes Excel show the formula as text.
        Assert.Equal("'" + ExportDay.TrickyDescription, tricky["description"]);
        Assert.Equal("139****0000", tricky["citizenPhone"]); // a dispatcher sees the phone masked, as in GraphQL
        Assert.Equal("REPORTED", tricky["status"]);
        Assert.Equal("2026-11-25", tricky["reportedAt"][..10]); // the city's local time: the day's last case came the next morning

        var text = Encoding.UTF8.GetString(csv.Bytes);
        Assert.Contains("\"'=HYPERLINK(\"\"http://x\"\"),\"\"井盖\"\" 缺失, 路口\r\n第二行\"", text); // quoted, quotes doubled
        Assert.EndsWith("\r\n", text);
        Assert.Equal(numbers.Count + 1 + 1, text.Split("\r\n").Length - 1); // header + rows, CRLF each; the tricky field holds one more
    }

    [Fact]
    public async Task Cases_csv_keeps_each_readers_scope_and_disclosure()
    {
        // Analysts see the list, never citizens: not even the columns.
        var analyst = await GetCsv("/exports/cases.csv", Client.Analyst);
        Assert.DoesNotContain(analyst.Header, h => h.StartsWith("citizen"));
        Assert.Equal(await GraphQLNumbers(Client.Analyst), analyst.Rows.Select(r => r["number"]));
        Assert.DoesNotContain("13900000000", Encoding.UTF8.GetString(analyst.Bytes));

        // A department: only the cases dispatched to it; the phone in full while it holds the case, masked after.
        var d01 = CaseClient.Department("D01");
        var department = await GetCsv("/exports/cases.csv", d01);
        var ownNumbers = await GraphQLNumbers(d01);
        Assert.NotEmpty(ownNumbers);
        Assert.True(ownNumbers.Count < (await GraphQLNumbers(Client.Dispatcher)).Count);
        Assert.Equal(ownNumbers, department.Rows.Select(r => r["number"]));
        Assert.All(department.Rows.Where(r => r["departmentCode"] == "D01" && r["citizenPhone"] != ""),
            r => Assert.Equal("13900000000", r["citizenPhone"]));
        Assert.All(department.Rows.Where(r => r["departmentCode"] != "D01" && r["citizenErased"] == "False"),
            r => Assert.Contains(r["citizenPhone"], new[] { "139****0000", "" }));
        Assert.Contains(department.Rows, r => r["departmentCode"] != "D01" && r["citizenPhone"] == "139****0000");
        Assert.Contains(department.Rows, r => r["departmentCode"] == "D01" && r["citizenPhone"] == "13900000000");
    }

    [Fact]
    public async Task The_case_views_report_time_has_statistics_so_a_months_pages_walk_the_number_index()
    {
        // Without them PostgreSQL guesses a report-time range keeps 0.5 % of the cases and sorts the month for each page
        // (the benchmarks' queries verb: a month's export at 2,095 rows/s on 200,000 cases).
        await using var connection = new Npgsql.NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "select count(*) from pg_statistic_ext where stxname = 'mt_doc_caseview_stx_reported_at'", connection);
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Cases_csv_filters_as_the_graphql_filter_does()
    {
        const string query = "status=CLOSED&source=HOTLINE&reportedFrom=2026-11-24T00:00:00Z&reportedTo=2026-11-25T00:00:00Z";
        var csv = await GetCsv("/exports/cases.csv?" + query, Client.Supervisor);
        var numbers = await GraphQLNumbers(Client.Supervisor,
            """{ status: CLOSED, source: HOTLINE, reportedFrom: "2026-11-24T00:00:00Z", reportedTo: "2026-11-25T00:00:00Z" }""");
        Assert.NotEmpty(numbers);
        Assert.Equal(numbers, csv.Rows.Select(r => r["number"]));
        Assert.All(csv.Rows, r => Assert.Equal("CLOSED", r["status"]));
        Assert.All(csv.Rows, r => Assert.NotEqual("", r["closedAt"]));
    }

    [Theory]
    [InlineData("/exports/cases.csv", null, 401, "UNAUTHENTICATED", "Sign in")]
    [InlineData("/exports/cases.csv", "device", 403, "FORBIDDEN", "agent, dispatcher, supervisor, auditor, department, inspector, analyst")]
    [InlineData("/exports/scorecards.csv?dimension=DEPARTMENT&from=2026-11-01&to=2026-11-30", "agent", 403, "FORBIDDEN", "'GET /exports/scorecards.csv' is for")]
    [InlineData("/exports/cases.csv?sttaus=CLOSED", "dispatcher", 400, "VALIDATION_FAILED", "'sttaus' is not a parameter of this export")]
    [InlineData("/exports/cases.csv?status=DONE", "dispatcher", 400, "VALIDATION_FAILED", "'status' is 'DONE'; it must be one of REPORTED, ACCEPTED")]
    [InlineData("/exports/cases.csv?status=CLOSED&status=VOIDED", "dispatcher", 400, "VALIDATION_FAILED", "'status' is given 2 times")]
    [InlineData("/exports/cases.csv?departmentCode=", "dispatcher", 400, "VALIDATION_FAILED", "'departmentCode' is empty")]
    [InlineData("/exports/cases.csv?reportedFrom=yesterday", "dispatcher", 400, "VALIDATION_FAILED", "'reportedFrom' is 'yesterday'; it must be an instant")]
    [InlineData("/exports/scorecards.csv?from=2026-11-01&to=2026-11-30", "analyst", 400, "VALIDATION_FAILED", "'dimension' is required")]
    [InlineData("/exports/scorecards.csv?dimension=DEPARTMENT&from=2026-11-30&to=2026-11-01", "analyst", 400, "VALIDATION_FAILED", "is before 'from'")]
    [InlineData("/exports/hotline-kpis.csv?from=2025-01-01&to=2026-11-30", "analyst", 400, "VALIDATION_FAILED", "longer than 366 days")]
    [InlineData("/exports/scorecards.xlsx?month=2026-13", "analyst", 400, "VALIDATION_FAILED", "'month' is '2026-13'; it must be a month like 2026-11")]
    public async Task A_refused_or_wrong_export_answers_an_error_that_names_the_problem(string path, string? role, int status, string code, string message)
    {
        var token = role is null ? null : CityCaseServer.Token(role, "someone", role == "department" ? "D01" : null);
        using var response = await Get(path, token);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var error = JsonNode.Parse(body)!["errors"]![0]!;
        Assert.Equal(code, error["extensions"]!["code"]!.GetValue<string>());
        Assert.Contains(message, error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Scorecards_csv_has_the_graphql_scorecards_figures()
    {
        var csv = await GetCsv("/exports/scorecards.csv?dimension=DEPARTMENT&from=2026-11-24&to=2026-11-25", Client.Analyst);
        var graphql = await Server.PostGraphQL("""
            { scorecards(dimension: DEPARTMENT, from: "2026-11-24", to: "2026-11-25") { subject subjectName counts { closed reported shouldDispose } closeRate compositeScore } }
            """, null, Client.Analyst);
        Assert.True(graphql.Errors is null, graphql.ToString());
        var scorecards = graphql.Data!["scorecards"]!.AsArray();

        Assert.Equal(scorecards.Select(s => s!["subject"]!.GetValue<string>()), csv.Rows.Select(r => r["subject"]));
        Assert.Contains(scorecards, s => s!["counts"]!["closed"]!.GetValue<int>() > 0);
        foreach (var (scorecard, row) in scorecards.Zip(csv.Rows))
        {
            Assert.Equal("DEPARTMENT", row["dimension"]);
            Assert.Equal(scorecard!["subjectName"]?.GetValue<string>() ?? "", row["subjectName"]);
            Assert.Equal(scorecard["counts"]!["closed"]!.GetValue<int>().ToString(), row["closed"]);
            Assert.Equal(scorecard["counts"]!["shouldDispose"]!.GetValue<int>().ToString(), row["shouldDispose"]);
            Assert.Equal(Number(scorecard["closeRate"]), Number(row["closeRate"]));
            Assert.Equal(Number(scorecard["compositeScore"]), Number(row["compositeScore"]));
        }
        Assert.Contains("onTimeVerificationRate", csv.Header);
        Assert.Contains("reopened", csv.Header);
    }

    [Fact]
    public async Task Hotline_csv_has_a_row_per_day_and_the_range_whose_figures_are_the_graphql_ones()
    {
        var csv = await GetCsv("/exports/hotline-kpis.csv?from=2026-11-23&to=2026-11-25", Client.Supervisor);
        Assert.Equal(["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-23"], csv.Rows.Select(r => r["from"]));
        Assert.Equal(["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-25"], csv.Rows.Select(r => r["to"]));

        var graphql = await Server.PostGraphQL("""
            { hotlineKpis(from: "2026-11-23", to: "2026-11-25") { cases closed satisfactionRate averageHandlingWorkingDays failedNotices } }
            """, null, Client.Supervisor);
        Assert.True(graphql.Errors is null, graphql.ToString());
        var kpis = graphql.Data!["hotlineKpis"]!;
        var range = csv.Rows[^1];
        Assert.True(kpis["cases"]!.GetValue<int>() > 0);
        Assert.Equal(kpis["cases"]!.GetValue<int>().ToString(), range["cases"]);
        Assert.Equal(kpis["closed"]!.GetValue<int>().ToString(), range["closed"]);
        Assert.Equal(Number(kpis["satisfactionRate"]), Number(range["satisfactionRate"]));
        Assert.Equal(Number(kpis["averageHandlingWorkingDays"]), Number(range["averageHandlingWorkingDays"]));
        Assert.Equal(kpis["cases"]!.GetValue<int>(), csv.Rows.SkipLast(1).Sum(r => int.Parse(r["cases"])));
        Assert.Equal("0", csv.Rows[0]["cases"]); // the day before: nothing reported

        // Each day's row is what the field answers for that day alone (the export sums the days in one query).
        foreach (var day in csv.Rows.SkipLast(1))
        {
            var one = await Server.PostGraphQL($$"""{ hotlineKpis(from: "{{day["from"]}}", to: "{{day["from"]}}") { cases closed satisfactionRate } }""", null, Client.Supervisor);
            var dayKpis = one.Data!["hotlineKpis"]!;
            Assert.Equal(dayKpis["cases"]!.GetValue<int>().ToString(), day["cases"]);
            Assert.Equal(dayKpis["closed"]!.GetValue<int>().ToString(), day["closed"]);
            Assert.Equal(Number(dayKpis["satisfactionRate"]), Number(day["satisfactionRate"]));
        }
    }

    [Fact]
    public async Task A_months_scorecards_come_as_an_excel_workbook_with_a_sheet_per_dimension()
    {
        using var response = await Get("/exports/scorecards.xlsx?month=2026-11", Client.Auditor);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, Encoding.UTF8.GetString(bytes));
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("scorecards-2026-11.xlsx", response.Content.Headers.ContentDisposition!.ToString());

        using var workbook = new MemoryStream(bytes);
        Assert.Equal(["DEPARTMENT", "STREET", "COMMUNITY", "GRID", "INSPECTOR", "DISPATCHER"], MiniExcel.GetSheetNames(workbook));
        workbook.Position = 0;
        var rows = (await workbook.QueryAsync(useHeaderRow: true, sheetName: "DEPARTMENT"))
            .Cast<IDictionary<string, object?>>().ToList();

        var graphql = await Server.PostGraphQL("""
            { scorecards(dimension: DEPARTMENT, from: "2026-11-01", to: "2026-11-30") { subject counts { closed } closeRate } }
            """, null, Client.Auditor);
        var scorecards = graphql.Data!["scorecards"]!.AsArray();
        Assert.Equal(scorecards.Select(s => s!["subject"]!.GetValue<string>()), rows.Select(r => r["subject"]?.ToString()));
        foreach (var (scorecard, row) in scorecards.Zip(rows))
        {
            Assert.Equal(scorecard!["counts"]!["closed"]!.GetValue<int>(), Convert.ToInt32(row["closed"]));
            Assert.Equal(Number(scorecard["closeRate"]), row["closeRate"] is null or "" ? null : Math.Round(Convert.ToDouble(row["closeRate"]), 6));
        }
        Assert.Contains(rows, r => Convert.ToInt32(r["closed"]) > 0);
    }

    private static double? Number(JsonNode? node) => node is null ? null : Math.Round(node.GetValue<double>(), 6);

    private static double? Number(string text) => text == "" ? null : Math.Round(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture), 6);
}

using System.Globalization;
using System.Text;
using CityCase.Api.Access;
using CityCase.Api.Assessment;
using CityCase.Api.Auth;
using CityCase.Api.Cases;
using CityCase.Api.GraphQL;
using CityCase.Api.Hosting;
using CityCase.Domain;
using CityCase.Domain.Assessment;
using CityCase.Domain.Cases;
using CityCase.Domain.Reference;
using CityCase.Engine.Cases;
using CityCase.Engine.Privacy;
using CsvHelper;
using GraphQL.Types;
using Marten;
using MiniExcelLibs;
using MiniExcelLibs.Attributes;
using MiniExcelLibs.OpenXml;
using NodaTime;
using NodaTime.Text;

namespace CityCase.Api.Exports;

/// <summary>
/// Analysts' exports over plain HTTP: CSV of <c>cases(filter)</c>, of <c>scorecards</c> and of <c>hotlineKpis</c> per day
/// over a range, and a month's scorecards as an Excel workbook. Each answers exactly what its GraphQL field would: the
/// same roles (<see cref="AccessPolicy.HttpRoles"/> names the field's entry), the same scope (a department its own
/// cases), the same disclosure of citizens (none for analysts), the same range limit. CSV is UTF-8 with a BOM (so
/// Excel reads Chinese text), RFC 4180 quoting, and cells that would start a formula escaped. Cases are streamed a
/// page at a time: memory stays flat however many rows, and the database connection is held for one page only.
/// </summary>
public static class ExportEndpoints
{
    private const string CasesCsvPath = "/exports/cases.csv";
    private const string ScorecardsCsvPath = "/exports/scorecards.csv";
    private const string HotlineCsvPath = "/exports/hotline-kpis.csv";
    private const string ScorecardsXlsxPath = "/exports/scorecards.xlsx";

    // Their entries in AccessPolicy.HttpRoles.
    public const string CasesCsv = "GET " + CasesCsvPath;
    public const string ScorecardsCsv = "GET " + ScorecardsCsvPath;
    public const string HotlineCsv = "GET " + HotlineCsvPath;
    public const string ScorecardsXlsx = "GET " + ScorecardsXlsxPath;

    /// <summary>Cases fetched and written per round trip (<c>Exports:PageSize</c>).</summary>
    public const int DefaultPageSize = 500;

    private static readonly LocalDateTimePattern CityTime = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd HH':'mm':'ss");

    public static void MapExports(this WebApplication app)
    {
        var exports = app.MapGroup("").RequireRateLimiting(RequestLimits.ExportPolicy);
        exports.MapGet(CasesCsvPath, CasesAsync);
        exports.MapGet(ScorecardsCsvPath, ScorecardsAsync);
        exports.MapGet(HotlineCsvPath, HotlineAsync);
        exports.MapGet(ScorecardsXlsxPath, WorkbookAsync);
    }

    // The enum values as GraphQL names them (IN_PROGRESS, OPEN311), from the schema's own types.
    private static readonly CaseStatusType StatusNames = new();
    private static readonly CaseSourceType SourceNames = new();
    private static readonly UrgencyType UrgencyNames = new();
    private static readonly ScorecardDimensionType DimensionNames = new();

    private static string NameOf(EnumerationGraphType type, object value) => type.Values.FindByValue(value)!.Name;

    /// <summary>A case as a row: the case, and its citizen as the reader may see them (null when not shown).</summary>
    private sealed record CaseRow(CaseView Case, ShownCitizen? Citizen, Category? Category, Department? Department, DateTimeZone Zone)
    {
        public string? Local(Instant? at) => at is { } instant ? CityTime.Format(instant.InZone(Zone).LocalDateTime) : null;
    }

    // The case columns, in order. Times are the city's local time (the zone is in the README), as Excel expects.
    private static readonly (string Header, Func<CaseRow, object?> Value)[] CaseColumns =
    [
        ("number", r => r.Case.Number),
        ("status", r => NameOf(StatusNames, r.Case.Status)),
        ("suspended", r => r.Case.Suspended),
        ("source", r => NameOf(SourceNames, r.Case.Source)),
        ("urgency", r => NameOf(UrgencyNames, r.Case.Urgency)),
        ("categoryCode", r => r.Case.CategoryCode),
        ("categoryName", r => r.Category?.Name),
        ("description", r => r.Case.Description),
        ("address", r => r.Case.Location.Address),
        ("longitude", r => r.Case.Location.Longitude),
        ("latitude", r => r.Case.Location.Latitude),
        ("streetCode", r => r.Case.StreetCode),
        ("communityCode", r => r.Case.CommunityCode),
        ("gridCode", r => r.Case.GridCode),
        ("departmentCode", r => r.Case.DepartmentCode),
        ("departmentName", r => r.Department?.Name),
        ("reportedAt", r => r.Local(r.Case.ReportedAt)),
        ("acceptedAt", r => r.Local(r.Case.Timeline.AcceptedAt)),
        ("dispatchedAt", r => r.Local(r.Case.Timeline.DispatchedAt)),
        ("signedAt", r => r.Local(r.Case.Timeline.SignedAt)),
        ("disposedAt", r => r.Local(r.Case.Timeline.DisposedAt)),
        ("verifiedAt", r => r.Local(r.Case.Timeline.VerifiedAt)),
        ("closedAt", r => r.Local(r.Case.Timeline.ClosedAt)),
        ("returns", r => r.Case.Returns),
        ("extensions", r => r.Case.Extensions),
        ("reworks", r => r.Case.Reworks),
        ("supervisions", r => r.Case.Supervisions),
        ("sensorRepeats", r => r.Case.SensorRepeats),
        ("satisfaction", r => r.Case.Satisfaction),
    ];

    // Only for readers who see citizens at all (Case.citizen in AccessPolicy.PersonalData): in full or masked, per case.
    private static readonly (string Header, Func<CaseRow, object?> Value)[] CitizenColumns =
    [
        ("citizenName", r => r.Citizen?.Name),
        ("citizenPhone", r => r.Citizen?.Phone),
        ("citizenErased", r => r.Case.CitizenErased),
    ];

    private static async Task CasesAsync(HttpContext http, IQuerySession session, CitizenVault vault, AssessmentRules assessment,
        ReferenceData reference, DateTimeZone zone, Microsoft.Extensions.Configuration.IConfiguration configuration, ILoggerFactory loggers)
    {
        if (HttpErrors.Refusal(http, CasesCsv) is { } refusal) { await HttpErrors.WriteAsync(http, refusal); return; }
        var actor = http.User.ToActor()!;
        CaseFilter filter;
        try
        {
            var query = new ExportQuery(http.Request.Query, "status", "departmentCode", "gridCode", "communityCode", "streetCode",
                "categoryCode", "source", "reportedFrom", "reportedTo");
            filter = new CaseFilter
            {
                Status = query.Enum<CaseStatus>("status", StatusNames),
                DepartmentCode = query.Text("departmentCode"),
                GridCode = query.Text("gridCode"),
                CommunityCode = query.Text("communityCode"),
                StreetCode = query.Text("streetCode"),
                CategoryCode = query.Text("categoryCode"),
                Source = query.Enum<CaseSource>("source", SourceNames),
                ReportedFrom = query.Instant("reportedFrom"),
                ReportedTo = query.Instant("reportedTo"),
            };
        }
        catch (DomainException e) { await HttpErrors.WriteAsync(http, e); return; }

        // Whether this reader sees citizens at all decides the columns; how much (full or masked) is decided per case.
        var seesCitizens = CaseAccess.SeesCitizens(actor);
        var columns = seesCitizens ? [.. CaseColumns, .. CitizenColumns] : CaseColumns;
        var pageSize = Math.Max(1, configuration.GetValue("Exports:PageSize", DefaultPageSize));
        var cases = filter.Apply(session.Query<CaseView>().InScope(actor, assessment.InspectorOfGrid), zone);
        Task<IReadOnlyList<CaseView>> PageAfter(string number) =>
            cases.Where(v => v.Number.CompareTo(number) > 0).OrderBy(v => v.Number).Take(pageSize).ToListAsync(http.RequestAborted);

        // The first page is read before the answer starts, so a failing database answers an error, not a cut-off 200.
        var page = await PageAfter("");
        long rows = 0;
        await using (var csv = StartCsv(http, "cases.csv"))
        {
            foreach (var (header, _) in columns) csv.WriteField(header);
            await csv.EndRecordAsync(http.RequestAborted);
            while (true)
            {
                var opened = seesCitizens
                    ? await vault.OpenManyAsync(page.Select(v => v.Citizen).OfType<SealedCitizen>(), http.RequestAborted)
                    : new Dictionary<SealedCitizen, CitizenReading>();
                foreach (var view in page)
                {
                    var citizen = seesCitizens
                        ? CaseAccess.CitizenOf(view, CaseAccess.DisclosureFor(actor, view.DepartmentCode),
                            view.Citizen is { } sealedCitizen ? opened.GetValueOrDefault(sealedCitizen) : null)
                        : null;
                    var row = new CaseRow(view, citizen, view.CategoryCode is { } c ? reference.CategoriesByCode.GetValueOrDefault(c) : null,
                        view.DepartmentCode is { } d ? reference.DepartmentsByCode.GetValueOrDefault(d) : null, zone);
                    foreach (var (_, value) in columns) csv.WriteField(value(row));
                    await csv.EndRecordAsync(http.RequestAborted);
                }
                rows += page.Count;
                await csv.FlushAsync(http.RequestAborted);
                if (page.Count < pageSize) break;
                page = await PageAfter(page[^1].Number);
            }
        }
        // Who took which cases out, for the city's records: the filter holds codes and times, never a citizen's data.
        loggers.CreateLogger("CityCase.Exports").LogInformation("{User} ({Role}) exported {Rows} cases as CSV, filter {Filter}, citizens {Citizens}",
            actor.UserId, actor.Role, rows, http.Request.QueryString.Value, seesCitizens ? "shown" : "absent");
    }

    private static async Task ScorecardsAsync(HttpContext http)
    {
        if (HttpErrors.Refusal(http, ScorecardsCsv) is { } refusal) { await HttpErrors.WriteAsync(http, refusal); return; }
        IReadOnlyList<Scorecard> scorecards;
        try
        {
            var query = new ExportQuery(http.Request.Query, "dimension", "from", "to");
            var dimension = query.Enum<BucketKind>("dimension", DimensionNames)
                            ?? throw new ValidationFailedException("'dimension' is required");
            var (from, to) = AssessmentQueries.CheckedRange(query.Date("from"), query.Date("to"));
            scorecards = await AssessmentQueries.ScorecardsAsync(http.RequestServices, dimension, from, to, http.RequestAborted);
        }
        catch (DomainException e) { await HttpErrors.WriteAsync(http, e); return; }

        await using var csv = StartCsv(http, "scorecards.csv");
        foreach (var (header, _) in ScorecardColumns) csv.WriteField(header);
        await csv.EndRecordAsync(http.RequestAborted);
        foreach (var scorecard in scorecards)
        {
            foreach (var (_, value) in ScorecardColumns) csv.WriteField(value(scorecard));
            await csv.EndRecordAsync(http.RequestAborted);
        }
    }

    private static async Task HotlineAsync(HttpContext http)
    {
        if (HttpErrors.Refusal(http, HotlineCsv) is { } refusal) { await HttpErrors.WriteAsync(http, refusal); return; }
        LocalDate from, to;
        try
        {
            var query = new ExportQuery(http.Request.Query, "from", "to");
            (from, to) = AssessmentQueries.CheckedRange(query.Date("from"), query.Date("to"));
        }
        catch (DomainException e) { await HttpErrors.WriteAsync(http, e); return; }

        // A row per day, then the whole range (its rates are over the range's cases, not an average of the days'), all
        // read in one query before the answer starts.
        var rows = (await AssessmentQueries.HotlineKpisPerDayAsync(http.RequestServices, from, to, http.RequestAborted)).ToList();
        rows.Add(new HotlineKpis(from, to, ScoreCounts.Sum(rows.Select(r => r.Counts)), rows[0].WorkingDayMinutes)); // days' buckets add up

        await using var csv = StartCsv(http, "hotline-kpis.csv");
        csv.WriteField("from");
        csv.WriteField("to");
        foreach (var (name, _, _) in HotlineKpisType.Counts) csv.WriteField(name);
        foreach (var (name, _, _) in HotlineKpisType.Rates) csv.WriteField(name);
        await csv.EndRecordAsync(http.RequestAborted);
        foreach (var kpis in rows)
        {
            csv.WriteField(LocalDatePattern.Iso.Format(kpis.From));
            csv.WriteField(LocalDatePattern.Iso.Format(kpis.To));
            foreach (var (_, value, _) in HotlineKpisType.Counts) csv.WriteField(value(kpis));
            foreach (var (_, value, _) in HotlineKpisType.Rates) csv.WriteField(value(kpis));
            await csv.EndRecordAsync(http.RequestAborted);
        }
    }

    /// <summary>A month's scorecards as one workbook, a sheet per dimension, rates formatted as percentages.</summary>
    private static async Task WorkbookAsync(HttpContext http)
    {
        if (HttpErrors.Refusal(http, ScorecardsXlsx) is { } refusal) { await HttpErrors.WriteAsync(http, refusal); return; }
        YearMonth month;
        try { month = new ExportQuery(http.Request.Query, "month").Month("month"); }
        catch (DomainException e) { await HttpErrors.WriteAsync(http, e); return; }

        var days = month.ToDateInterval();
        var sheets = new Dictionary<string, object>();
        foreach (var dimension in DimensionNames.Values)
        {
            var scorecards = await AssessmentQueries.ScorecardsAsync(http.RequestServices, (BucketKind)dimension.Value!,
                days.Start, days.End, http.RequestAborted);
            // A table, not rows of dictionaries: a month without a dimension's figures still gets its header row.
            var sheet = new System.Data.DataTable(dimension.Name);
            foreach (var (header, _) in ScorecardColumns.Skip(1)) sheet.Columns.Add(header, typeof(object));
            foreach (var scorecard in scorecards)
                sheet.Rows.Add(ScorecardColumns.Skip(1).Select(c => c.Value(scorecard) ?? DBNull.Value).ToArray());
            sheets[dimension.Name] = sheet;
        }
        var rates = ScorecardType.Rates.Select(r => r.Name).ToHashSet();
        var configuration = new OpenXmlConfiguration
        {
            FreezeRowCount = 1,
            DynamicColumns = ScorecardColumns.Where(c => rates.Contains(c.Header)).Select(c => new DynamicExcelColumn(c.Header) { Format = "0.0%" }).ToArray(),
        };
        // A workbook is a zip, written whole: a month's scorecards are a few hundred rows at most.
        using var buffer = new MemoryStream();
        await buffer.SaveAsAsync(sheets, configuration: configuration, cancellationToken: http.RequestAborted);
        http.Response.ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"scorecards-{month.Year:D4}-{month.Month:D2}.xlsx\"";
        http.Response.Headers.CacheControl = "private, no-store";
        http.Response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(http.Response.Body, http.RequestAborted);
    }

    // A scorecard's columns: its dimension, subject and period, every counter, every rate and the composite, GraphQL's names.
    private static readonly (string Header, Func<Scorecard, object?> Value)[] ScorecardColumns =
    [
        ("dimension", s => NameOf(DimensionNames, s.Dimension)),
        ("subject", s => s.Subject),
        ("subjectName", s => s.SubjectName),
        ("from", s => LocalDatePattern.Iso.Format(s.From)),
        ("to", s => LocalDatePattern.Iso.Format(s.To)),
        .. ScoreCountsType.Counters.Select(c => (c.Name, (Func<Scorecard, object?>)(s => c.Value(s.Counts)))),
        .. ScorecardType.Rates.Select(r => (r.Name, (Func<Scorecard, object?>)(s => r.Rate(s.Counts)))),
        ("compositeScore", s => s.CompositeScore),
    ];

    /// <summary>Starts a CSV answer: UTF-8 with a BOM, CRLF rows, quotes where RFC 4180 needs them (the defaults), formulas defused.</summary>
    private static CsvWriter StartCsv(HttpContext http, string fileName)
    {
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        http.Response.Headers.CacheControl = "private, no-store"; // read under authorization, never from a shared cache
        return CsvWriter.Create(http.Response.Body, new CsvWriterOptions
        {
            WriteByteOrderMark = true,
            // A citizen's description starting with = or + must not run as a formula in the analyst's Excel.
            Injection = CsvInjection.Escape,
        }, leaveOpen: true);
    }
}

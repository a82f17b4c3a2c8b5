using System.Text.Json.Nodes;
using CityCase.Engine.Sla;
using CityCase.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using NodaTime.Text;

namespace CityCase.IntegrationTests.Sla;

/// <summary>
/// The year turns: deadlines counted over a year without its official holidays are provisional, counted again
/// once when the year arrives (by a restart with the new file, or reloadCalendar), and /health warns ahead of time.
/// Each test runs on its own copy of the sample district, whose calendar.json it rewrites.
/// </summary>
public sealed class CalendarYearTests : IDisposable
{
    private readonly string _reference = CopyOfTheSampleDistrict();

    public void Dispose() => Directory.Delete(_reference, recursive: true);

    private CityCaseServer Server(string now) => new()
    {
        Clock = new FakeClock(Local(now)),
        Arguments = ["--City:ReferenceDirectory", _reference, "--City:Calendar:PollSeconds", "0", "--Sla:PollSeconds", "0"],
    };

    [Fact]
    public async Task A_provisional_deadline_is_counted_again_once_when_a_restart_brings_the_official_year()
    {
        var server = Server("2026-12-29 10:00");
        await server.InitializeAsync();
        try
        {
            var client = new CaseClient(server);
            var (id, _) = await client.Report();
            var before = await CitizenClock(client, id);
            // 5 working days from Tuesday 29 December 10:00, with 1 January off (statutory): Wednesday 6 January 10:00.
            Assert.Equal(("2027-01-06 10:00", true), (Show(before), (bool)before["provisional"]!));

            WriteCalendar(official2027: true);
            await server.RestartAsync();
            Assert.Equal(1, await Keeper(server).RunOnceAsync());

            var after = await CitizenClock(client, id);
            Assert.Equal(("2027-01-07 10:00", false), (Show(after), (bool)after["provisional"]!)); // 4 January is off too
            var moved = Assert.Single(await client.History(id), e => (string)e!["type"]! == "ClockDeadlineMoved")!;
            Assert.Contains("2027: official schedule (was provisional)", (string)moved["data"]!);

            await server.RestartAsync();
            Assert.Equal(0, await Keeper(server).RunOnceAsync());
            Assert.Equal(1, await client.EventsOf(id, "clock_deadline_moved"));

            var history = (await server.PostGraphQL("{ calendarHistory { version by { userId } changes officialYears } }",
                token: client.Auditor)).Data!["calendarHistory"]!.AsArray();
            Assert.Equal([1, 2], history.Select(v => (int)v!["version"]!));
            Assert.Equal("citycase-calendar", (string)history[1]!["by"]!["userId"]!);
            Assert.Contains(2027, history[1]!["officialYears"]!.AsArray().Select(y => (int)y!));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task ReloadCalendar_refuses_a_bad_file_keeping_the_old_calendar_then_takes_a_good_one_without_a_restart()
    {
        var server = Server("2026-12-29 10:00");
        await server.InitializeAsync();
        try
        {
            var client = new CaseClient(server);
            var admin = CityCaseServer.Token("admin", "root");
            var (id, _) = await client.Report();
            const string reload = "mutation { reloadCalendar { version changes } }";

            WriteCalendar(official2027: true, extraHoliday: "2026-12-31"); // a 2026 date filed under 2027
            var refused = await server.PostGraphQL(reload, token: admin);
            Assert.Equal("VALIDATION_FAILED", refused.FirstErrorCode);
            Assert.Contains("calendar.json", refused.FirstErrorMessage);
            Assert.Contains("2026-12-31 is not in 2027", refused.FirstErrorMessage);
            Assert.Equal(1, server.Services.GetRequiredService<CityCalendar>().Version);
            Assert.True((bool)(await CitizenClock(client, id))["provisional"]!);

            Assert.Equal("FORBIDDEN", (await server.PostGraphQL(reload, token: client.Agent)).FirstErrorCode);

            WriteCalendar(official2027: true);
            var taken = (await server.PostGraphQL(reload, token: admin)).Data!["reloadCalendar"]!;
            Assert.Equal(2, (int)taken["version"]!);
            Assert.Contains("2027: official schedule (was provisional)", taken["changes"]!.AsArray().Select(c => (string)c!));
            var after = await CitizenClock(client, id);
            Assert.Equal(("2027-01-07 10:00", false), (Show(after), (bool)after["provisional"]!));

            var again = (await server.PostGraphQL(reload, token: admin)).Data!["reloadCalendar"]!;
            Assert.Equal((2, 0), ((int)again["version"]!, again["changes"]!.AsArray().Count));
            Assert.Equal(1, await client.EventsOf(id, "clock_deadline_moved"));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("2026-10-31 12:00", false, "Healthy")]  // before 1 November: no warning yet
    [InlineData("2026-11-30 12:00", false, "Degraded")] // 2027 is only provisional
    [InlineData("2026-11-30 12:00", true, "Healthy")]   // the notice is loaded
    public async Task Health_warns_from_1_November_while_next_years_official_holidays_are_missing(string now, bool official2027,
        string expected)
    {
        if (official2027) WriteCalendar(official2027: true);
        var server = Server(now);
        await server.InitializeAsync();
        try
        {
            var response = await server.Http.GetAsync("/health");
            var report = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal((200, expected), ((int)response.StatusCode, (string)report["checks"]!["calendar"]!["status"]!));
            Assert.Equal(expected, (string)report["status"]!);
            if (expected == "Degraded") Assert.Contains("2027", (string)report["checks"]!["calendar"]!["description"]!);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    private static CalendarKeeper Keeper(CityCaseServer server) => server.Services.GetRequiredService<CalendarKeeper>();

    private static async Task<JsonNode> CitizenClock(CaseClient client, string id) =>
        (await client.Case(id, "clocks { clock dueAt provisional }"))["clocks"]!.AsArray().Single(c => (string)c!["clock"]! == "CITIZEN")!;

    /// <summary>
    /// Rewrites 2027 in the copy's calendar.json as official. The dates are INVENTED for the tests (the State
    /// Council's 2027 notice is not out): the statutory days, and Monday 4 January off as well.
    /// </summary>
    private void WriteCalendar(bool official2027, string? extraHoliday = null)
    {
        var file = Path.Combine(_reference, "calendar.json");
        var root = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        var years = root["years"]!.AsArray();
        years.Remove(years.Single(y => (int)y!["year"]! == 2027));
        if (official2027)
        {
            var holidays = new JsonArray("2027-01-01", "2027-01-04", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08",
                "2027-04-05", "2027-05-01", "2027-05-02", "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-02", "2027-10-03");
            if (extraHoliday is not null) holidays.Add(extraHoliday);
            years.Add(new JsonObject { ["year"] = 2027, ["holidays"] = holidays, ["makeUpWorkdays"] = new JsonArray() });
        }
        File.WriteAllText(file, root.ToJsonString());
    }

    private static readonly LocalDateTimePattern Pattern = LocalDateTimePattern.CreateWithInvariantCulture("yyyy-MM-dd HH:mm");
    private static readonly DateTimeZone Shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
    private static Instant Local(string text) => Pattern.Parse(text).Value.InZoneStrictly(Shanghai).ToInstant();
    private static string Show(JsonNode clock) =>
        Pattern.Format(InstantPattern.ExtendedIso.Parse((string)clock["dueAt"]!).Value.InZone(Shanghai).LocalDateTime);

    private static string CopyOfTheSampleDistrict()
    {
        var source = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(source.FullName, "CityCase.sln"))) source = source.Parent!;
        var copy = Directory.CreateTempSubdirectory("citycase-reference-").FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(source.FullName, "samples", "reference")))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CityCase.Domain.Cases;
using CityCase.Domain.Reference;
using CityCase.IntegrationTests.Infrastructure;
using CityCase.Simulation;
using NodaTime;
using NodaTime.Testing;
using Xunit.Abstractions;

namespace CityCase.IntegrationTests.Simulation;

/// <summary>
/// A short fuller day (samples/CityCase.Simulation) played by the real CityCaseClient over GraphQL-over-HTTP and
/// photo uploads, with each role's token, against the real server on a FakeClock: every case status is answered at
/// least once, and every path of the day shows in the cases the server keeps.
/// </summary>
public sealed class SimulatedDayTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateTimeZone Shanghai = DateTimeZoneProviders.Tzdb["Asia/Shanghai"];
    private readonly FakeClock _clock = new(new LocalDateTime(2026, 11, 24, 0, 0).InZoneStrictly(Shanghai).ToInstant());
    private CityCaseServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = CityCaseServer.OnClock(_clock);
        await _server.InitializeAsync();
    }

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task A_short_day_reaches_every_status_and_every_path_shows_in_the_cases()
    {
        var district = ReferenceData.Parse(ReferenceData.FileNames.ToDictionary(f => f,
            f => File.ReadAllText(Path.Combine(Repository.Root, "samples", "reference", f))));
        var journeys = new SimulatedDay(district).FullDay(40);
        var client = new CityCaseClient(_server.Http, a => CityCaseServer.Token(a.Role, $"sim-{a.Role}{a.Department}", a.Department));
        var clock = Stopwatch.StartNew();

        // A minute of the city's time passes before each step (the day's own delays would run past its end).
        var day = await client.PlayDayAsync(journeys, _ => { _clock.Advance(Duration.FromMinutes(1)); return Task.CompletedTask; });
        output.WriteLine($"{journeys.Count} cases, {day.Mutations.Values.Sum()} calls in {clock.Elapsed.TotalSeconds:F1} s");

        // Every status of the domain was answered at least once (none is unreachable by design: the enum is the list).
        var missed = Enum.GetValues<CaseStatus>().Where(s => !day.StatusesSeen.ContainsKey(s)).ToList();
        Assert.True(missed.Count == 0, "never answered: " + string.Join(", ", missed));
        Assert.True(day.FoldedRepeats > 0, "no sensor repeat was folded into its case");

        // Every path of the day was taken, and each journey's paths show in its case as the server keeps it.
        await _server.WaitForProjectionsAsync();
        var admin = CityCaseServer.Token("admin", "root");
        var failures = new List<string>();
        foreach (var journey in journeys)
        {
            var id = day.Cases[journey.Index];
            var answer = await _server.PostGraphQL("""
                query($id: ID!) {
                  case(id: $id) { status source urgency sensorRepeats returns extensions supervisions suspensions reworks reopenings notes
                    assistingDepartments mergedInto satisfaction acceptanceNotified completionNotified closureApproved
                    openSupervisions { number } attachments { kind } }
                  caseHistory(id: $id) { type data }
                }
                """, new { id }, admin);
            Assert.True(answer.Errors is null, answer.ToString());
            var view = new CaseSeen(answer.Data!["case"]!, answer.Data!["caseHistory"]!.AsArray());
            foreach (var path in journey.Paths)
                if (!Shows(path, view, journey, day))
                    failures.Add($"journey {journey.Index}: {path} does not show in {Shorten(answer.Data!["case"]!.ToJsonString())}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        var notTaken = Enum.GetValues<DayPath>().Where(p => !journeys.Any(j => j.Paths.Contains(p))).ToList();
        Assert.True(notTaken.Count == 0, "paths not taken: " + string.Join(", ", notTaken));
    }

    private sealed record CaseSeen(JsonNode Case, JsonArray History)
    {
        public int Number(string field) => Case[field]!.GetValue<int>();
        public string Text(string field) => Case[field]?.GetValue<string>() ?? "";
        public bool Has(string type, string? data = null) => History.Any(e => e!["type"]!.GetValue<string>() == type
            && (data is null || Regex.IsMatch(e["data"]!.GetValue<string>(), data, RegexOptions.IgnoreCase)));
        public bool Photo(string kind) => Case["attachments"]!.AsArray().Any(a => a!["kind"]!.GetValue<string>() == kind);
    }

    /// <summary>Whether the server's case shows the path: its view's counters and flags, else its history.</summary>
    private static bool Shows(DayPath path, CaseSeen c, CaseJourney journey, PlayedDay day) => path switch
    {
        DayPath.HotlineCall => c.Text("source") == "HOTLINE",
        DayPath.PatrolFinding => c.Text("source") == "PATROL",
        DayPath.SensorAlarm => c.Text("source") == "SENSOR",
        DayPath.SensorRepeat => c.Number("sensorRepeats") >= 1,
        DayPath.SensorClear => c.Has("SensorAlarmCleared"),
        DayPath.Urgent => c.Text("urgency") == "URGENT",
        DayPath.Rejected => c.Text("status") == "REJECTED",
        DayPath.Voided or DayPath.FalseAlarmVoided => c.Text("status") == "VOIDED",
        DayPath.Merged => c.Text("status") == "MERGED" && c.Text("mergedInto") ==
            day.Cases[journey.Steps.Select(s => s.Command).OfType<MergeIntoJourney>().Single().OriginalIndex].ToString(),
        DayPath.Closed => c.Text("status") == "CLOSED",
        DayPath.LeftOpen => c.Text("status") is "ACCEPTED" or "DISPATCHED" or "IN_PROGRESS" or "DISPOSED",
        DayPath.WrongDepartmentReturned => c.Number("returns") >= 1,
        DayPath.ReturnDenied => c.Has("ReturnDecided", "\"approved\":\\s*false"),
        DayPath.AssistingDepartment => c.Case["assistingDepartments"]!.AsArray().Count >= 1,
        DayPath.NamedWorker => c.Has("CaseAssigned"),
        DayPath.Note => c.Number("notes") >= 1,
        DayPath.BeforeDisposalPhotos => c.Photo("BEFORE_DISPOSAL"),
        DayPath.AfterDisposalPhotos => c.Photo("AFTER_DISPOSAL"),
        DayPath.VerificationPhotos => c.Photo("VERIFICATION"),
        DayPath.SuspensionApproved => c.Has("SuspensionDecided", "\"approved\":\\s*true") && c.Number("suspensions") >= 1,
        DayPath.SuspensionDenied => c.Has("SuspensionDecided", "\"approved\":\\s*false"),
        DayPath.DispatcherHold => c.Has("CaseSuspended") && c.Has("CaseResumed"),
        DayPath.Extension => c.Has("ExtensionRequested"),
        DayPath.ExtensionDenied => c.Has("ExtensionDecided", "\"approved\":\\s*false"),
        DayPath.Reminder or DayPath.Supervision or DayPath.PublicListing =>
            c.Has("CaseSupervised", Naming(path)) && c.Has("SupervisionAnswered") && c.Case["openSupervisions"]!.AsArray().Count == 0,
        DayPath.Rework => c.Number("reworks") >= 1,
        DayPath.ClosureReviewed => c.Has("ClosureReviewed", "\"approved\":\\s*true"),
        DayPath.ReviewDenied => c.Has("ClosureReviewed", "\"approved\":\\s*false"),
        DayPath.VerificationReassigned => c.Has("VerificationAssigned", "inspector-relief"),
        DayPath.AcceptanceNotice => c.Case["acceptanceNotified"]!.GetValue<bool>(),
        DayPath.CompletionNotice => c.Case["completionNotified"]!.GetValue<bool>(),
        DayPath.FollowUpCall => c.Case["satisfaction"] is not null && c.Has("CitizenNotified", "follow"),
        DayPath.ReopenedOnLowScore => c.Has("CaseReopened", "\"score\":\\s*[12]"),
        DayPath.ReopenedOnComplaint => c.Has("CaseReopened", "\"score\":\\s*null"),
        _ => throw new ArgumentOutOfRangeException(nameof(path), path, "say how the server shows this path"),
    };

    // A supervision's level as its event records it: the enum's name, or its number.
    private static string Naming(DayPath level) => level switch
    {
        DayPath.Reminder => "\"level\":\\s*(\"reminder\"|0)",
        DayPath.Supervision => "\"level\":\\s*(\"supervision\"|1)",
        _ => "\"level\":\\s*(\"public_?listing\"|2)",
    };

    private static string Shorten(string json) => json.Length <= 300 ? json : json[..300] + "...";
}

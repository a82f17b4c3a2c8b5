using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Time;
using System.Text.Json;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;

namespace CityCase.Domain.Tests.Cases;

/// <summary>Given a history, when a command is decided, then these events, or this refusal.</summary>
public static class CaseScenario
{
    public static readonly Guid Id = Guid.Parse("0198a0c4-1111-7000-8000-000000000001");
    public static readonly Instant T0 = Instant.FromUtc(2026, 11, 24, 1, 0);
    public static readonly Instant Now = T0 + Duration.FromHours(3);

    public static readonly Actor Agent = new("alice", "Alice", Roles.Agent);
    public static readonly Actor Dispatcher = new("dan", "Dan", Roles.Dispatcher);
    public static readonly Actor Roads = new("rita", "Rita", Roles.Department, "D02");
    public static readonly Actor Water = new("wang", "Wang", Roles.Department, "D05");
    public static readonly Actor Inspector = new("ivan", "Ivan", Roles.Inspector);
    public static readonly Actor Supervisor = new("sue", "Sue", Roles.Supervisor);

    /// <summary>A citizen as intake seals it (the decider only carries the sealed form; the bytes are not its business).</summary>
    public static readonly SealedCitizen Caller = new(Id, "bm9uY2U=", "c2VhbGVk");

    // A hotline case walked along the loop, one fact at a time.
    public static readonly CaseReported Reported = new(Id, "20261124-00001", CaseSource.Hotline, "Pothole",
        new Location(121.47, 31.23, null), null, Caller, Agent, T0,
        new CasePlace("310101001001001", "310101001001", "310101001"));
    public static readonly CaseAccepted Accepted = new(Id, "0201", Urgency.Normal, null, Dispatcher, T0);
    public static readonly CaseDispatched Dispatched = new(Id, "D02", true, Dispatcher, T0);
    public static readonly CaseSigned Signed = new(Id, "D02", Roads, T0);
    public static readonly DisposalReported Disposed = new(Id, "D02", "Filled", [], Roads, T0);
    public static readonly DisposalVerified Verified = new(Id, true, null, Inspector, T0);
    public static readonly CaseClosed Closed = new(Id, Dispatcher, T0);
    public static readonly CaseSuspended Suspended = new(Id, "Road works", Dispatcher, T0);

    public static readonly object[] AtAccepted = [Reported, Accepted];
    public static readonly object[] AtDispatched = [.. AtAccepted, Dispatched];
    public static readonly object[] AtInProgress = [.. AtDispatched, Signed];
    public static readonly object[] AtDisposed = [.. AtInProgress, Disposed];
    public static readonly object[] AtVerified = [.. AtDisposed, Verified];
    public static readonly object[] AtClosed = [.. AtVerified, Closed];

    private static readonly JsonSerializerOptions Json =
        new JsonSerializerOptions().ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);

    public static string Describe(object @event) => $"{@event.GetType().Name} {JsonSerializer.Serialize(@event, @event.GetType(), Json)}";

    /// <summary>A tiny catalogue: roads (0201) go to D02 except on street 310101002, where D07 has them.</summary>
    public sealed class SampleRules : ICaseRules
    {
        public bool IsKnownCategory(string categoryCode) => categoryCode is "0201" or "0101" or "1101";
        public bool IsKnownDepartment(string departmentCode) => departmentCode is "D02" or "D03" or "D05" or "D07";

        public string? DepartmentFor(string categoryCode, string? streetCode) => (categoryCode, streetCode) switch
        {
            ("0201", "310101002") => "D07",
            ("0201", _) => "D02",
            ("0101", _) => "D03",
            _ => null,
        };

        /// <summary>The district: a box around the People's Square, all in one grid.</summary>
        public CasePlace? PlaceAt(Location location) =>
            location.Longitude is >= 121.4 and <= 121.6 && location.Latitude is >= 31.1 and <= 31.3 ? Reported.Place : null;

        /// <summary>Manhole covers (0101) need the city's review before closing, at any urgency.</summary>
        public bool NeedsCloseReview(string categoryCode, Urgency urgency) => categoryCode == "0101";
    }

    /// <summary>The sample Shanghai calendar, roads due in 3 working days, the city's default loop rules.</summary>
    public static readonly SlaPolicy Policy = new(Time.TimeSamples.Calendar,
        (category, _) => category == "0201" ? new Limit(3, LimitUnit.WorkingDays) : null);

    public static readonly ICaseRules Rules = new SampleRules();

    public static When Given(params object[] history) => new(Case.From(history));

    public sealed record When(Case State)
    {
        public Then WhenDecided(CaseCommand command, Actor by) => WhenDecided(command, by, Now);

        public Then WhenDecided(CaseCommand command, Actor by, Instant at, SlaPolicy? policy = null) =>
            new(() => CaseDecider.Decide(State, command, by, at, Rules, policy ?? Policy));

        /// <summary>The decision with the clocks and escalation that follow it, as handlers append them.</summary>
        public Then WhenFollowed(CaseCommand command, Actor by, Instant at, SlaPolicy? policy = null) =>
            new(() => CaseDecider.DecideAndFollow(State, command, by, at, Rules, policy ?? Policy));
    }

    public sealed record Then(Func<IReadOnlyList<object>> Decide)
    {
        /// <summary>Compared as type plus JSON, so that events carrying lists compare by content.</summary>
        public void ThenEvents(params object[] expected) =>
            Assert.Equal(expected.Select(Describe), Decide().Select(Describe));

        public void ThenRefused(string code, params string[] mentions)
        {
            var refusal = Assert.ThrowsAny<DomainException>(() => Decide());
            Assert.Equal(code, refusal.Code);
            foreach (var text in mentions) Assert.Contains(text, refusal.Message);
        }
    }
}

using System.Diagnostics.Metrics;
using CityCase.Domain;
using CityCase.Domain.Cases;
using CityCase.Domain.Time;
using CityCase.Engine.Lifecycle;
using CityCase.Engine.Reference;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;
using Wolverine;

namespace CityCase.Engine.Sla;

/// <summary>The <c>City:Calendar</c> section: how the yearly calendar routine is watched.</summary>
public sealed class CalendarSettings
{
    /// <summary>From this day of each year (MM-dd) a missing official schedule for the next year is reported.</summary>
    public string WarnFrom { get; set; } = "11-01";

    /// <summary>How often each node looks for a newer calendar version and provisional clocks to count again.</summary>
    public double PollSeconds { get; set; } = 10;
}

/// <summary>
/// The business calendar in force on this node: the latest version on the city's calendar stream, with every
/// earlier version (a provisional deadline is counted again from the calendar it was counted on).
/// </summary>
public sealed class CityCalendar(BusinessCalendar initial, string initialText, SlaPolicy configured)
{
    private volatile Snapshot _now = new(0, initial, initialText, [], new Dictionary<int, BusinessCalendar>());

    private sealed record Snapshot(int Version, BusinessCalendar Calendar, string Text, IReadOnlyList<string> Changes,
        IReadOnlyDictionary<int, BusinessCalendar> Versions);

    public BusinessCalendar Current => _now.Calendar;
    public int Version => _now.Version;
    public string Text => _now.Text;


    /// <summary>
    /// The command that counts provisional deadlines again on the calendar in force, from one snapshot (so the
    /// version, the calendar and the earlier calendars agree), with what the version changed as its reason.
    /// </summary>
    public RecountProvisionalClocks Recount()
    {
        var now = _now;
        return new RecountProvisionalClocks(now.Calendar, now.Version, v => now.Versions.GetValueOrDefault(v),
            $"calendar version {now.Version}: {string.Join("; ", now.Changes)}");
    }

    /// <summary>The city's SLA policy on the calendar in force.</summary>
    public SlaPolicy Sla => configured with { Calendar = Current, CalendarVersion = Version };

    /// <summary>The year after <paramref name="today"/>'s, when its official schedule is missing and it is time to say so.</summary>
    public int? MissingNextYear(LocalDate today, AnnualDate warnFrom) =>
        today >= warnFrom.InYear(today.Year) && !Current.IsOfficial(today.Year + 1) ? today.Year + 1 : null;

    internal void Set(IReadOnlyList<(int Version, CalendarChanged Change)> history)
    {
        var versions = history.ToDictionary(h => h.Version, h => BusinessCalendar.Parse(h.Change.Calendar));
        var (version, last) = history[^1];
        _now = new Snapshot(version, versions[version], last.Calendar, last.Changes, versions);
    }
}

/// <summary>
/// Keeps every node on the same calendar. At start-up the calendar file is compared with the latest version on
/// the city's calendar stream and recorded there if it differs (so a restart with a new file is a reload);
/// <see cref="ReloadAsync"/> does the same on an admin's word. Each node then polls the stream, takes up a newer
/// version, and sends every running provisional clock counted on an older version through the case's handler to
/// be counted again: the decider moves each exactly once, whatever the number of nodes or restarts.
/// </summary>
public sealed class CalendarKeeper(CityCalendar calendar, IDocumentStore store, IServiceScopeFactory scopes, IClock clock,
    CitySettings city, ILogger<CalendarKeeper> logger) : CasePollingService(scopes, logger)
{
    public static readonly Actor StartUp = new("citycase-calendar", "Calendar at start-up", "system");
    private readonly Meter _meter = new("CityCase.Calendar");
    private LocalDate? _warnedOn;

    private CalendarSettings Settings => city.Calendar;

    public override async Task StartAsync(CancellationToken ct)
    {
        var file = Path.Combine(Path.GetFullPath(city.ReferenceDirectory, AppContext.BaseDirectory), ReferenceDataFiles.CalendarFile);
        await RecordAsync(calendar.Current, calendar.Text, StartUp, ct); // the file's calendar, parsed when the engine was built
        _ = MissingNextYear(); // a bad City:Calendar:WarnFrom stops start-up here
        _meter.CreateObservableGauge("citycase.calendar.next_year_missing",
            () => MissingNextYear() is null ? 0 : 1, description: "1 while next year's official holidays are not loaded (from City:Calendar:WarnFrom)");
        logger.LogInformation("Business calendar version {Version} from {File}: official {Official}, provisional {Provisional}",
            calendar.Version, file, string.Join(", ", calendar.Current.OfficialYears), string.Join(", ", calendar.Current.ProvisionalYears));
        await base.StartAsync(ct);
    }

    /// <summary>Reads the calendar file again, validates it, and records it as the new version if it differs.</summary>
    /// <exception cref="ValidationFailedException">the file cannot be used; the calendar in force stays.</exception>
    public async Task<CalendarReload> ReloadAsync(Actor by, CancellationToken ct = default)
    {
        var directory = Path.GetFullPath(city.ReferenceDirectory, AppContext.BaseDirectory);
        BusinessCalendar parsed;
        string text;
        try
        {
            text = await File.ReadAllTextAsync(Path.Combine(directory, ReferenceDataFiles.CalendarFile), ct);
            parsed = BusinessCalendar.Parse(text);
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            throw new ValidationFailedException($"{ReferenceDataFiles.CalendarFile}: {e.Message} (the calendar in force, version {calendar.Version}, stays)");
        }
        var changes = await RecordAsync(parsed, text, by, ct);
        await RunOnceAsync(ct);
        return new CalendarReload(calendar.Version, changes);
    }

    /// <summary>One pass: take up a newer version, count provisional clocks again, warn of a missing year.</summary>
    public override async Task<int> RunOnceAsync(CancellationToken ct = default)
    {
        await RefreshAsync(ct);
        if (MissingNextYear() is { } year && _warnedOn != Today())
        {
            _warnedOn = Today();
            logger.LogWarning("The business calendar has no official schedule for {Year}: deadlines that reach into it are provisional. " +
                              "Add the State Council's notice to {File} under years and run reloadCalendar.", year, ReferenceDataFiles.CalendarFile);
        }
        return await RecountAsync(ct);
    }

    /// <summary>The next year, when its official schedule is missing and the warning season has begun.</summary>
    public int? MissingNextYear()
    {
        var warnFrom = NodaTime.Text.AnnualDatePattern.Iso.Parse(Settings.WarnFrom).GetValueOrThrow();
        return calendar.MissingNextYear(Today(), warnFrom);
    }

    protected override double PollSeconds => Settings.PollSeconds;

    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }

    private LocalDate Today() => clock.GetCurrentInstant().InZone(calendar.Current.Zone).Date;

    /// <summary>Appends the calendar as a new version unless it is the one in force; returns what changed.</summary>
    private async Task<IReadOnlyList<string>> RecordAsync(BusinessCalendar parsed, string text, Actor by, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var history = await HistoryAsync(ct);
            var previous = history.Count == 0 ? null : BusinessCalendar.Parse(history[^1].Change.Calendar);
            var changes = previous is null ? ["first calendar"] : parsed.ChangesFrom(previous);
            if (changes.Count == 0)
            {
                if (history.Count > 0) calendar.Set(history);
                return [];
            }
            var changed = new CalendarChanged(text, changes, parsed.OfficialYears, parsed.ProvisionalYears, by, clock.GetCurrentInstant());
            await using var session = store.LightweightSession();
            session.Events.Append(CalendarChanged.StreamId, history.Count + 1, changed);
            try
            {
                await session.SaveChangesAsync(ct);
                calendar.Set([.. history, (history.Count + 1, changed)]);
                logger.LogInformation("Business calendar version {Version} recorded by {User}: {Changes}",
                    calendar.Version, by.UserId, string.Join("; ", changes));
                return changes;
            }
            catch (Exception e) when (attempt < 3 && e is JasperFx.ConcurrencyException
                                          or JasperFx.Events.EventStreamUnexpectedMaxEventIdException
                                          or JasperFx.Events.ExistingStreamIdCollisionException)
            {
                // Another node recorded a version at the same moment: look again.
            }
        }
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var state = await session.Events.FetchStreamStateAsync(CalendarChanged.StreamId, ct);
        if (state is not null && state.Version > calendar.Version) calendar.Set(await HistoryAsync(ct));
    }

    private async Task<IReadOnlyList<(int Version, CalendarChanged Change)>> HistoryAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(CalendarChanged.StreamId, token: ct);
        return [.. events.Select(e => ((int)e.Version, (CalendarChanged)e.Data))];
    }

    /// <summary>Sends each case with a provisional clock counted on an older calendar to be counted again.</summary>
    private async Task<int> RecountAsync(CancellationToken ct)
    {
        var recount = calendar.Recount();
        var version = recount.Version;
        IReadOnlyList<Guid> cases;
        await using (var session = store.QuerySession())
            cases = (await session.Query<SlaTimer>().Where(t => t.Provisional && t.CalendarVersion < version)
                .Select(t => t.CaseId).ToListAsync(ct)).Distinct().ToList();
        if (cases.Count == 0) return 0;

        return await SendAsync(cases.Select(id => new CaseCommandEnvelope(id, null, recount, CaseClocks.Timekeeper)), ct);
    }
}

/// <summary>What a reload answers: the version in force and what changed (nothing when the file was the same).</summary>
public sealed record CalendarReload(int Version, IReadOnlyList<string> Changes);

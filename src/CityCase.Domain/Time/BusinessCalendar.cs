using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;
using NodaTime.TimeZones;

namespace CityCase.Domain.Time;

/// <summary>
/// A working period of a day in local time, [Start, End). An End of 00:00 (written "24:00" or "00:00" in the
/// calendar file) means midnight at the end of the day, so 00:00-24:00 is the whole day.
/// </summary>
public sealed record WorkingPeriod(LocalTime Start, LocalTime End)
{
    /// <summary>The nominal (wall-clock) length; on a daylight-saving change day the real length differs.</summary>
    public Duration Length => EndOfDay - (Start - LocalTime.Midnight).ToDuration();

    internal Duration EndOfDay => End == LocalTime.Midnight ? Duration.FromDays(1) : (End - LocalTime.Midnight).ToDuration();
}

/// <summary>
/// One year of holidays and make-up working days (调休), as the State Council publishes them each November or
/// December for the next year. A year is <em>official</em> when it comes from the published notice and
/// <em>provisional</em> (<see cref="Provisional"/>) while the notice is not out: then only the days fixed by law
/// are known, not the bridging days or the make-up days. The inputs are copied.
/// </summary>
public sealed class CalendarYear
{
    public const int MinYear = 1900;
    public const int MaxYear = 2200;

    /// <exception cref="FormatException">the year is out of range, or a date is outside it or both a holiday and
    /// a make-up day; the message names the year and the date.</exception>
    public CalendarYear(int year, IEnumerable<LocalDate>? holidays = null,
        IReadOnlyDictionary<LocalDate, IsoDayOfWeek>? makeUpWorkdays = null, bool provisional = false)
    {
        if (year is < MinYear or > MaxYear) throw new FormatException($"years: {year} is not a year in {MinYear}..{MaxYear}");
        Year = year;
        Provisional = provisional;
        Holidays = (holidays ?? []).ToFrozenSet();
        MakeUpWorkdays = (makeUpWorkdays ?? new Dictionary<LocalDate, IsoDayOfWeek>()).ToFrozenDictionary();
        foreach (var date in Holidays.Order())
            if (date.Year != year) throw new FormatException($"years[{year}]: holiday {date:yyyy-MM-dd} is not in {year}");
        foreach (var (date, worksAs) in MakeUpWorkdays.OrderBy(p => p.Key))
        {
            if (date.Year != year) throw new FormatException($"years[{year}]: make-up working day {date:yyyy-MM-dd} is not in {year}");
            if (Holidays.Contains(date)) throw new FormatException($"years[{year}]: {date:yyyy-MM-dd} is both a holiday and a make-up working day");
            if (worksAs == IsoDayOfWeek.None) throw new FormatException($"years[{year}]: make-up day {date:yyyy-MM-dd}: IsoDayOfWeek.None is not a day of the week");
        }
    }

    public int Year { get; }

    /// <summary>True while the year's official notice is not published: only the listed days are known.</summary>
    public bool Provisional { get; }

    /// <summary>Dates of this year with no work even on a weekday.</summary>
    public IReadOnlySet<LocalDate> Holidays { get; }

    /// <summary>Make-up working days of this year and the weekday whose periods they work.</summary>
    public IReadOnlyDictionary<LocalDate, IsoDayOfWeek> MakeUpWorkdays { get; }
}

/// <summary>Weekly working hours that replace the previous ones from <see cref="From"/> on (a city changing its hours).</summary>
public sealed class WeekChange(LocalDate from, IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> week)
{
    public LocalDate From { get; } = from;

    /// <summary>The working periods of each weekday from <see cref="From"/> on (as given; checked by the calendar).</summary>
    public IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> Week { get; } = week ?? throw new ArgumentNullException(nameof(week));
}

/// <summary>
/// The city's business calendar: working periods per weekday (with the lunch break between them), possibly
/// changed from given dates on, and per year the public holidays and the make-up working days China moves onto
/// weekends (调休). Immutable and pure: all arithmetic is on instants, resolved through the city's time zone.
/// </summary>
/// <remarks>
/// <para>Local times are resolved to instants as "the first instant at which the wall clock reads that time
/// or later": an ambiguous time (clocks falling back) is its earlier occurrence, and a skipped time (clocks
/// springing forward) is the instant the clocks resume after the gap. So a period 01:00-04:00 on a
/// spring-forward day in Berlin lasts 2 real hours and on the fall-back day 4, and a period starting or
/// ending inside the gap starts or ends when the clocks jump. Every duration is real elapsed time.</para>
/// <para>Arithmetic walks the calendar period by period, day by day (a couple of steps per day), never minute
/// by minute; a limit of 60 working days costs about 90 days' worth of steps.</para>
/// <para>Years: a year listed without being provisional is <em>official</em>. Any other year, listed as
/// provisional or not listed at all, is <em>provisional</em>: its listed holidays apply (none when it is not
/// listed) and its weekdays work. The arithmetic never stops at the last known year, but it says so:
/// <see cref="IsProvisional"/>, <see cref="IsProvisionalBetween"/>, and <see cref="SlaSchedule.Provisional"/>.</para>
/// </remarks>
public sealed class BusinessCalendar
{
    private const int MaxDaysSearched = 3700; // ten years: a limit that never ends is a broken calendar

    private static readonly ZoneLocalMappingResolver FirstAtOrAfter =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    private readonly FrozenDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> _week;
    private readonly (LocalDate From, FrozenDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> Week)[] _weekChanges;
    private readonly FrozenDictionary<int, CalendarYear> _years;
    private readonly FrozenSet<LocalDate> _holidays;
    private readonly FrozenDictionary<LocalDate, IsoDayOfWeek> _makeUpDays;

    /// <summary>
    /// A calendar. Periods of a weekday must be in order and must not overlap; Monday (the standard working day)
    /// must have working time in every week; week changes must be in increasing order of their dates; a year
    /// may be listed once, and its dates must lie in it (see <see cref="CalendarYear"/>). Years not listed are
    /// provisional, with no holidays. The inputs are copied, so changing them later does not change the calendar.
    /// </summary>
    /// <exception cref="FormatException">the calendar is invalid; the message names the problem.</exception>
    public BusinessCalendar(DateTimeZone zone, IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> week,
        IEnumerable<CalendarYear>? years = null, IEnumerable<WeekChange>? weekChanges = null)
    {
        Zone = zone ?? throw new ArgumentNullException(nameof(zone));
        _week = CheckedWeek(week ?? throw new ArgumentNullException(nameof(week)), "");
        var changes = new List<(LocalDate, FrozenDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>>)>();
        LocalDate? previous = null;
        foreach (var change in weekChanges ?? [])
        {
            ArgumentNullException.ThrowIfNull(change, nameof(weekChanges));
            if (change.From == previous) throw new FormatException($"weekChanges: {change.From:yyyy-MM-dd} is listed twice");
            if (change.From < previous)
                throw new FormatException($"weekChanges: {change.From:yyyy-MM-dd} comes after {previous:yyyy-MM-dd}: " +
                                          "list the changes in increasing 'from' order");
            changes.Add((change.From, CheckedWeek(change.Week, $"weekChanges[{change.From:yyyy-MM-dd}]: ")));
            previous = change.From;
        }
        _weekChanges = [.. changes];
        var byYear = new Dictionary<int, CalendarYear>();
        foreach (var year in years ?? [])
        {
            ArgumentNullException.ThrowIfNull(year, nameof(years));
            if (!byYear.TryAdd(year.Year, year)) throw new FormatException($"years: {year.Year} is listed twice");
        }
        _years = byYear.ToFrozenDictionary();
        Years = [.. byYear.Values.OrderBy(y => y.Year)];
        OfficialYears = [.. Years.Where(y => !y.Provisional).Select(y => y.Year)];
        ProvisionalYears = [.. Years.Where(y => y.Provisional).Select(y => y.Year)];
        _holidays = Years.SelectMany(y => y.Holidays).ToFrozenSet();
        _makeUpDays = Years.SelectMany(y => y.MakeUpWorkdays).ToFrozenDictionary();
        WorkingDay = MondayLength(_week);
        WeekChanges = [.. _weekChanges.Select(c => new WeekChange(c.From, c.Week))];
    }

    public DateTimeZone Zone { get; }

    /// <summary>The working periods of each weekday that has any (in order): the base week, before any <see cref="WeekChanges"/>.</summary>
    public IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> Week => _week;

    /// <summary>The weeks that replace <see cref="Week"/> from their dates on, in order.</summary>
    public IReadOnlyList<WeekChange> WeekChanges { get; }

    /// <summary>The listed years, in order.</summary>
    public IReadOnlyList<CalendarYear> Years { get; }

    /// <summary>The years listed from an official notice, in order.</summary>
    public IReadOnlyList<int> OfficialYears { get; }

    /// <summary>The years listed as provisional, in order (years not listed at all are provisional too).</summary>
    public IReadOnlyList<int> ProvisionalYears { get; }

    /// <summary>Dates with no work even on a weekday, of every listed year.</summary>
    public IReadOnlySet<LocalDate> Holidays => _holidays;

    /// <summary>Make-up working days (调休) of every listed year and the weekday whose periods they work.</summary>
    public IReadOnlyDictionary<LocalDate, IsoDayOfWeek> MakeUpWorkdays => _makeUpDays;

    /// <summary>
    /// One working day's worth of working time in the base <see cref="Week"/>: a standard (Monday) day's periods,
    /// e.g. 7.5 hours — never 24 hours. "N working days" is N times this (times <see cref="WorkingDayOn"/> where
    /// the week has changed).
    /// </summary>
    public Duration WorkingDay { get; }

    /// <summary>One working day's worth of working time on a date: the Monday periods of the week in force then.</summary>
    public Duration WorkingDayOn(LocalDate date) => MondayLength(WeekOn(date));

    /// <summary>The weekly periods in force on a date: the last week change on or before it, else the base week.</summary>
    public IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> WeekOn(LocalDate date)
    {
        for (var i = _weekChanges.Length - 1; i >= 0; i--)
            if (_weekChanges[i].From <= date) return _weekChanges[i].Week;
        return _week;
    }

    /// <summary>Whether a year is listed from an official notice (not provisional, not missing).</summary>
    public bool IsOfficial(int year) => _years.TryGetValue(year, out var y) && !y.Provisional;

    /// <summary>Whether a date falls in a provisional year: listed as provisional, or not listed at all.</summary>
    public bool IsProvisional(LocalDate date) => !IsOfficial(date.Year);

    /// <summary>
    /// Whether any local date from <paramref name="from"/>'s date to <paramref name="to"/>'s date (inclusive, in
    /// either order) falls in a provisional year: arithmetic over that span may change when the year's notice is out.
    /// </summary>
    public bool IsProvisionalBetween(Instant from, Instant to)
    {
        if (to < from) (from, to) = (to, from);
        var last = to.InZone(Zone).Date.Year;
        for (var year = from.InZone(Zone).Date.Year; year <= last; year++)
            if (!IsOfficial(year)) return true;
        return false;
    }

    /// <summary>
    /// What differs from <paramref name="previous"/>, one human-readable line each, empty when nothing does:
    /// <c>zone changed</c>, <c>weekly hours changed</c>, <c>weekly hours from 2027-07-01 added</c> (or removed, changed),
    /// and per year <c>2027: official schedule (was provisional)</c>, <c>2027: provisional (was official)</c>,
    /// <c>2028: added (provisional)</c>, <c>2028: added (official)</c>, <c>2025: removed</c>, <c>2026: holidays changed</c>,
    /// <c>2026: make-up working days changed</c>. Years come in order.
    /// </summary>
    public IReadOnlyList<string> ChangesFrom(BusinessCalendar previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        var lines = new List<string>();
        if (Zone.Id != previous.Zone.Id) lines.Add("zone changed");
        if (!SameWeek(_week, previous._week)) lines.Add("weekly hours changed");
        var before = previous._weekChanges.ToDictionary(c => c.From, c => c.Week);
        var after = _weekChanges.ToDictionary(c => c.From, c => c.Week);
        foreach (var from in before.Keys.Union(after.Keys).Order())
        {
            var change = !before.TryGetValue(from, out var old) ? "added"
                : !after.TryGetValue(from, out var now) ? "removed"
                : SameWeek(old, now) ? null : "changed";
            if (change is not null) lines.Add($"weekly hours from {from:yyyy-MM-dd} {change}");
        }
        foreach (var year in previous._years.Keys.Union(_years.Keys).Order())
        {
            var had = previous._years.GetValueOrDefault(year);
            var has = _years.GetValueOrDefault(year);
            if (had is null) lines.Add($"{year}: added ({(has!.Provisional ? "provisional" : "official")})");
            else if (has is null) lines.Add($"{year}: removed");
            else if (had.Provisional != has.Provisional)
                lines.Add(has.Provisional ? $"{year}: provisional (was official)" : $"{year}: official schedule (was provisional)");
            if (had is null || has is null) continue;
            if (!had.Holidays.SetEquals(has.Holidays)) lines.Add($"{year}: holidays changed");
            if (had.MakeUpWorkdays.Count != has.MakeUpWorkdays.Count
                || had.MakeUpWorkdays.Any(p => !has.MakeUpWorkdays.TryGetValue(p.Key, out var d) || d != p.Value))
                lines.Add($"{year}: make-up working days changed");
        }
        return lines;
    }

    /// <summary>The working periods of a date: none on holidays; a make-up day works as its stated weekday; the
    /// week in force that date (<see cref="WeekOn"/>) gives the periods.</summary>
    public IReadOnlyList<WorkingPeriod> PeriodsOn(LocalDate date) =>
        _holidays.Contains(date) ? []
        : _makeUpDays.TryGetValue(date, out var worksAs) ? PeriodsOfWeekday(WeekOn(date), worksAs)
        : PeriodsOfWeekday(WeekOn(date), date.DayOfWeek);
    /// <summary>Whether <paramref name="instant"/> lies inside a working period (periods are [start, end)).</summary>
    public bool IsWorkingTime(Instant instant)
    {
        var date = instant.InZone(Zone).Date;
        return Intervals(date.PlusDays(-1)).Concat(Intervals(date)).Any(i => i.From <= instant && instant < i.To);
    }

    /// <summary>
    /// The instant at which <paramref name="workingTime"/> of working time has passed, counting from
    /// <paramref name="start"/>. A start outside working time (before opening, over lunch, at night, on a
    /// weekend or holiday) begins counting at the next working period. A limit used up exactly at the end of
    /// a period ends there (12:00, not 13:30). A zero duration returns <paramref name="start"/> itself, wherever
    /// it lies: nothing has to elapse, so nothing moves.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">the duration is negative.</exception>
    /// <exception cref="InvalidOperationException">the calendar has no working time within ten years.</exception>
    public Instant AddWorkingTime(Instant start, Duration workingTime)
    {
        if (workingTime < Duration.Zero) throw new ArgumentOutOfRangeException(nameof(workingTime), "must not be negative");
        if (workingTime == Duration.Zero) return start;
        var remaining = workingTime;
        var date = start.InZone(Zone).Date;
        for (var i = 0; i < MaxDaysSearched; i++, date = date.PlusDays(1))
        foreach (var (from, to) in Intervals(date))
        {
            if (to <= start) continue;
            var begin = from < start ? start : from;
            var available = to - begin;
            if (remaining <= available) return begin + remaining;
            remaining -= available;
        }
        throw new InvalidOperationException($"The calendar has no working time within {MaxDaysSearched} days of {start}.");
    }

    /// <summary>
    /// The working time between two instants (zero when <paramref name="to"/> is not after <paramref name="from"/>).
    /// The inverse of <see cref="AddWorkingTime"/>: <c>WorkingTimeBetween(s, AddWorkingTime(s, d)) == d</c>.
    /// </summary>
    public Duration WorkingTimeBetween(Instant from, Instant to)
    {
        var total = Duration.Zero;
        if (to <= from) return total;
        var last = to.InZone(Zone).Date;
        for (var date = from.InZone(Zone).Date; date <= last; date = date.PlusDays(1))
        foreach (var (a, b) in Intervals(date))
        {
            var begin = a < from ? from : a;
            var end = b < to ? b : to;
            if (end > begin) total += end - begin;
        }
        return total;
    }

    /// <summary>
    /// A working-time limit as a duration of working time, rounded to whole working minutes: working days are
    /// amount × <see cref="WorkingDayOn"/> of <paramref name="start"/>'s local date (7.5 h for 1 working day here),
    /// so a limit started before a change of weekly hours keeps the day it started with.
    /// </summary>
    public Duration LimitAsWorkingTime(double amount, LimitUnit unit, Instant start) => !double.IsFinite(amount) || amount < 0
        ? throw new ArgumentOutOfRangeException(nameof(amount), amount, "a limit must be a finite amount, not negative")
        : unit switch
    {
        LimitUnit.WorkingHours => Duration.FromMinutes(Math.Round(amount * 60, MidpointRounding.AwayFromZero)),
        LimitUnit.WorkingDays => Duration.FromMinutes(Math.Round(WorkingDayOn(start.InZone(Zone).Date).TotalMinutes * amount,
            MidpointRounding.AwayFromZero)),
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "natural hours are not working time"),
    };

    /// <summary>The working intervals of a date as instants, in order (see the class remarks for the resolution).</summary>
    private IEnumerable<(Instant From, Instant To)> Intervals(LocalDate date)
    {
        foreach (var period in PeriodsOn(date))
        {
            var from = Resolve(date.At(period.Start));
            var to = Resolve(period.End == LocalTime.Midnight ? date.PlusDays(1).AtMidnight() : date.At(period.End));
            if (to > from) yield return (from, to); // a period wholly inside a skipped hour has no working time
        }
    }

    private Instant Resolve(LocalDateTime local) => Zone.ResolveLocal(local, FirstAtOrAfter).ToInstant();

    private static IReadOnlyList<WorkingPeriod> PeriodsOfWeekday(IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> week,
        IsoDayOfWeek day) => week.TryGetValue(day, out var p) ? p : [];

    private static Duration MondayLength(IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> week) =>
        PeriodsOfWeekday(week, IsoDayOfWeek.Monday).Aggregate(Duration.Zero, (sum, p) => sum + p.Length);

    /// <summary>A week checked (prefix names where it is in messages) and copied.</summary>
    private static FrozenDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> CheckedWeek(
        IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> week, string where)
    {
        ArgumentNullException.ThrowIfNull(week);
        foreach (var (day, periods) in week)
        {
            if (day == IsoDayOfWeek.None) throw new FormatException($"{where}IsoDayOfWeek.None is not a day of the week");
            Check(periods ?? throw new FormatException($"{where}{day}: the periods are missing"), $"{where}{day}");
        }
        var copy = week.ToFrozenDictionary(p => p.Key, p => (IReadOnlyList<WorkingPeriod>)[.. p.Value]);
        if (MondayLength(copy) <= Duration.Zero)
            throw new FormatException($"{where}Monday has no working periods: a working day would last nothing");
        return copy;
    }

    /// <summary>Two weeks work the same periods (a weekday listed with no periods is the same as one not listed).</summary>
    private static bool SameWeek(IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> a,
        IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> b) =>
        Enum.GetValues<IsoDayOfWeek>().All(d => PeriodsOfWeekday(a, d).SequenceEqual(PeriodsOfWeekday(b, d)));

    private static void Check(IReadOnlyList<WorkingPeriod> periods, string day)
    {
        for (var i = 0; i < periods.Count; i++)
        {
            var p = periods[i] ?? throw new FormatException($"{day}: a period is missing");
            if (p.End <= p.Start && p.End != LocalTime.Midnight)
                throw new FormatException($"{day}: the period {p.Start:HH:mm}-{p.End:HH:mm} ends before it starts");
            if (i > 0 && (p.Start - LocalTime.Midnight).ToDuration() < periods[i - 1].EndOfDay)
                throw new FormatException($"{day}: the periods {periods[i - 1].Start:HH:mm}-{periods[i - 1].End:HH:mm} and " +
                                          $"{p.Start:HH:mm}-{p.End:HH:mm} overlap or are out of order");
        }
    }

    /// <summary>
    /// Reads the shape of samples/reference/calendar.json:
    /// <code>
    /// {
    ///   "zone": "Asia/Shanghai",
    ///   "week": { "monday": ["08:30-12:00", "13:30-17:30"], "tuesday": [...], ... },
    ///   "weekChanges": [ { "from": "2027-07-01", "week": { "monday": [...], ... } } ],
    ///   "years": [
    ///     { "year": 2026, "source": "...", "holidays": ["2026-10-01", ...],
    ///       "makeUpWorkdays": [ { "date": "2026-10-10", "worksAs": "monday" }, ... ] },
    ///     { "year": 2027, "provisional": true, "note": "...", "holidays": [...], "makeUpWorkdays": [] }
    ///   ]
    /// }
    /// </code>
    /// <c>week</c> is the shared weekly hours (with the lunch break between periods); weekdays not listed do
    /// not work. <c>weekChanges</c> (optional, in increasing <c>from</c> order, no date twice) replaces the whole
    /// week from its date on. <c>years</c> (optional) lists each year once, a whole number in 1900..2200, with its
    /// holidays and make-up working days, all dates inside that year; <c>"provisional": true</c> marks a year
    /// whose official notice is not out (only its listed days are known). Years not listed are provisional with
    /// no holidays. The zone defaults to Asia/Shanghai, worksAs to monday, holidays and makeUpWorkdays to none;
    /// other properties ("source", "note") are ignored. Top-level "holidays" and "makeUpWorkdays" (the shape
    /// before years) are refused: they belong under a year. The caller reads the file; this only parses the text.
    /// </summary>
    /// <exception cref="FormatException">the calendar is invalid; the message names what is wrong and where.</exception>
    public static BusinessCalendar Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("the calendar must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"the calendar is not valid JSON: {e.Message}");
        }
        foreach (var moved in (string[])["holidays", "makeUpWorkdays"])
            if (root.ContainsKey(moved))
                throw new FormatException($"'{moved}' at the top level is no longer read: move it under 'years', into the " +
                                          $"year it belongs to, e.g. \"years\": [{{\"year\": 2026, \"{moved}\": [...]}}]");
        var zoneId = root["zone"] is null ? "Asia/Shanghai" : Text(root["zone"], "zone");
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId)
                   ?? throw new FormatException($"zone '{zoneId}' is not a known IANA time zone");

        var week = ParseWeek(root["week"], "week");
        var changes = new List<WeekChange>();
        var changeList = Array(root, "weekChanges");
        for (var i = 0; i < changeList.Count; i++)
        {
            var entry = changeList[i] as JsonObject ?? throw new FormatException(
                $"weekChanges[{i}]: each entry must be an object like {{\"from\": \"2027-07-01\", \"week\": {{...}}}}");
            var from = ParseDate(Text(entry["from"], $"weekChanges[{i}].from"), $"weekChanges[{i}].from");
            changes.Add(new WeekChange(from, ParseWeek(entry["week"], $"weekChanges[{from:yyyy-MM-dd}].week")));
        }

        var years = new List<CalendarYear>();
        var yearList = Array(root, "years");
        for (var i = 0; i < yearList.Count; i++)
            years.Add(ParseYear(yearList[i] as JsonObject ?? throw new FormatException(
                $"years[{i}]: each entry must be an object like {{\"year\": 2026, \"holidays\": [...], \"makeUpWorkdays\": [...]}}"), i));
        return new BusinessCalendar(zone, week, years, changes);
    }

    private static Dictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> ParseWeek(JsonNode? node, string where)
    {
        var week = new Dictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>>();
        foreach (var (name, periods) in node as JsonObject ?? throw new FormatException($"'{where}' is missing or is not an object"))
        {
            var day = Weekday(name, $"{where}: '{name}'");
            if (week.ContainsKey(day)) throw new FormatException($"{where}: {day} is listed twice");
            week[day] = (periods as JsonArray ?? throw new FormatException($"{where}.{name} must be a list like [\"08:30-12:00\"]"))
                .Select(p => ParsePeriod(Text(p, $"{where}.{name}"), $"{where}.{name}")).ToList();
        }
        return week;
    }

    private static CalendarYear ParseYear(JsonObject entry, int index)
    {
        var node = entry["year"];
        var year = node is JsonValue v && v.TryGetValue<decimal>(out var number) && number == decimal.Truncate(number)
                   && number is >= CalendarYear.MinYear and <= CalendarYear.MaxYear
            ? (int)number
            : throw new FormatException($"years[{index}]: 'year' must be a whole number in {CalendarYear.MinYear}..{CalendarYear.MaxYear}, " +
                                        $"got {node?.ToJsonString() ?? "nothing"}");
        var where = $"years[{year}]";
        var provisional = entry["provisional"] switch
        {
            null => false,
            JsonValue p when p.TryGetValue<bool>(out var b) => b,
            var other => throw new FormatException($"{where}: 'provisional' must be true or false, got {other.ToJsonString()}"),
        };
        var holidays = Array(entry, "holidays", where).Select(d => ParseDate(Text(d, $"{where}.holidays"), $"{where}.holidays")).ToHashSet();
        var makeUp = new Dictionary<LocalDate, IsoDayOfWeek>();
        foreach (var item in Array(entry, "makeUpWorkdays", where))
        {
            var day = item as JsonObject ?? throw new FormatException(
                $"{where}.makeUpWorkdays: each entry must be an object like {{\"date\": \"2026-10-10\", \"worksAs\": \"monday\"}}");
            var date = ParseDate(Text(day["date"], $"{where}.makeUpWorkdays date"), $"{where}.makeUpWorkdays");
            var worksAs = day["worksAs"] is null ? "monday" : Text(day["worksAs"], $"{where}.makeUpWorkdays {date:yyyy-MM-dd} worksAs");
            if (makeUp.ContainsKey(date)) throw new FormatException($"{where}.makeUpWorkdays: {date:yyyy-MM-dd} is listed twice");
            makeUp[date] = Weekday(worksAs, $"{where}.makeUpWorkdays {date:yyyy-MM-dd}: worksAs '{worksAs}'");
        }
        return new CalendarYear(year, holidays, makeUp, provisional);
    }

    private static JsonArray Array(JsonObject parent, string name, string? where = null) => parent[name] switch
    {
        null => [],
        JsonArray a => a,
        _ => throw new FormatException(where is null ? $"'{name}' must be a list" : $"{where}: '{name}' must be a list"),
    };

    private static string Text(JsonNode? node, string where) =>
        node is JsonValue v && v.TryGetValue<string>(out var s)
            ? s
            : throw new FormatException($"{where}: expected a string, got {node?.ToJsonString() ?? "nothing"}");

    private static IsoDayOfWeek Weekday(string name, string where) =>
        !int.TryParse(name, out _) && Enum.TryParse<IsoDayOfWeek>(name, ignoreCase: true, out var day) && day != IsoDayOfWeek.None
            ? day
            : throw new FormatException($"{where} is not a day of the week (monday ... sunday)");

    private static readonly LocalTimePattern HourMinute = LocalTimePattern.CreateWithInvariantCulture("HH:mm");

    private static WorkingPeriod ParsePeriod(string text, string where)
    {
        var parts = text.Split('-');
        var start = parts.Length == 2 ? HourMinute.Parse(parts[0].Trim()) : null;
        var end = parts.Length == 2 ? HourMinute.Parse(parts[1].Trim() == "24:00" ? "00:00" : parts[1].Trim()) : null;
        if (start is not { Success: true } || end is not { Success: true })
            throw new FormatException($"{where}: '{text}' is not a period like 08:30-12:00");
        return new WorkingPeriod(start.Value, end.Value);
    }

    private static LocalDate ParseDate(string text, string where)
    {
        var result = LocalDatePattern.Iso.Parse(text);
        return result.Success ? result.Value : throw new FormatException($"{where}: '{text}' is not a date like 2026-10-01");
    }
}

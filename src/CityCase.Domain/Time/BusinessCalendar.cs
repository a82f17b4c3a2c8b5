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
/// The city's business calendar: working periods per weekday (with the lunch break between them),
/// public holidays, and the make-up working days China moves onto weekends (调休). Immutable and pure:
/// all arithmetic is on instants, resolved through the city's time zone.
/// </summary>
/// <remarks>
/// <para>Local times are resolved to instants as "the first instant at which the wall clock reads that time
/// or later": an ambiguous time (clocks falling back) is its earlier occurrence, and a skipped time (clocks
/// springing forward) is the instant the clocks resume after the gap. So a period 01:00-04:00 on a
/// spring-forward day in Berlin lasts 2 real hours and on the fall-back day 4, and a period starting or
/// ending inside the gap starts or ends when the clocks jump. Every duration is real elapsed time.</para>
/// <para>Arithmetic walks the calendar period by period, day by day (a couple of steps per day), never minute
/// by minute; a limit of 60 working days costs about 90 days' worth of steps.</para>
/// </remarks>
public sealed class BusinessCalendar
{
    private const int MaxDaysSearched = 3700; // ten years: a limit that never ends is a broken calendar

    private static readonly ZoneLocalMappingResolver FirstAtOrAfter =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    private readonly FrozenDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> _week;
    private readonly FrozenSet<LocalDate> _holidays;
    private readonly FrozenDictionary<LocalDate, IsoDayOfWeek> _makeUpDays;

    /// <summary>
    /// A calendar. Periods of a weekday must be in order and must not overlap; a date cannot be both a holiday
    /// and a make-up working day; Monday (the standard working day) must have working time. The inputs are
    /// copied, so changing them later does not change the calendar.
    /// </summary>
    /// <exception cref="FormatException">the calendar is invalid; the message names the problem.</exception>
    public BusinessCalendar(DateTimeZone zone, IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> week,
        IReadOnlySet<LocalDate>? holidays = null, IReadOnlyDictionary<LocalDate, IsoDayOfWeek>? makeUpDays = null)
    {
        Zone = zone ?? throw new ArgumentNullException(nameof(zone));
        ArgumentNullException.ThrowIfNull(week);
        foreach (var (day, periods) in week)
        {
            if (day == IsoDayOfWeek.None) throw new FormatException("IsoDayOfWeek.None is not a day of the week");
            Check(periods ?? throw new FormatException($"{day}: the periods are missing"), day.ToString());
        }
        _week = week.ToFrozenDictionary(p => p.Key, p => (IReadOnlyList<WorkingPeriod>)[.. p.Value]);
        _holidays = (holidays ?? new HashSet<LocalDate>()).ToFrozenSet();
        _makeUpDays = (makeUpDays ?? new Dictionary<LocalDate, IsoDayOfWeek>()).ToFrozenDictionary();
        foreach (var (date, worksAs) in _makeUpDays.OrderBy(p => p.Key))
        {
            if (_holidays.Contains(date)) throw new FormatException($"{date:yyyy-MM-dd} is both a holiday and a make-up working day");
            if (worksAs == IsoDayOfWeek.None) throw new FormatException($"make-up day {date:yyyy-MM-dd}: IsoDayOfWeek.None is not a day of the week");
        }
        WorkingDay = PeriodsOfWeekday(IsoDayOfWeek.Monday).Aggregate(Duration.Zero, (sum, p) => sum + p.Length);
        if (WorkingDay <= Duration.Zero) throw new FormatException("Monday has no working periods: a working day would last nothing");
    }

    public DateTimeZone Zone { get; }

    /// <summary>The working periods of each weekday that has any (in order).</summary>
    public IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> Week => _week;

    /// <summary>Dates with no work even on a weekday.</summary>
    public IReadOnlySet<LocalDate> Holidays => _holidays;

    /// <summary>Make-up working days (调休) and the weekday whose periods they work.</summary>
    public IReadOnlyDictionary<LocalDate, IsoDayOfWeek> MakeUpWorkdays => _makeUpDays;

    /// <summary>
    /// One working day's worth of working time: a standard (Monday) day's periods, e.g. 7.5 hours —
    /// never 24 hours. "N working days" is N times this.
    /// </summary>
    public Duration WorkingDay { get; }

    /// <summary>The working periods of a date: none on holidays; a make-up day works as its stated weekday.</summary>
    public IReadOnlyList<WorkingPeriod> PeriodsOn(LocalDate date) =>
        _holidays.Contains(date) ? []
        : _makeUpDays.TryGetValue(date, out var worksAs) ? PeriodsOfWeekday(worksAs)
        : PeriodsOfWeekday(date.DayOfWeek);

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
    /// amount × <see cref="WorkingDay"/> (7.5 h for 1 working day here).
    /// </summary>
    public Duration LimitAsWorkingTime(double amount, LimitUnit unit) => !double.IsFinite(amount) || amount < 0
        ? throw new ArgumentOutOfRangeException(nameof(amount), amount, "a limit must be a finite amount, not negative")
        : unit switch
    {
        LimitUnit.WorkingHours => Duration.FromMinutes(Math.Round(amount * 60, MidpointRounding.AwayFromZero)),
        LimitUnit.WorkingDays => Duration.FromMinutes(Math.Round(WorkingDay.TotalMinutes * amount, MidpointRounding.AwayFromZero)),
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

    private IReadOnlyList<WorkingPeriod> PeriodsOfWeekday(IsoDayOfWeek day) => _week.TryGetValue(day, out var p) ? p : [];

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
    /// <c>{"zone": "Asia/Shanghai", "week": {"monday": ["08:30-12:00", "13:30-17:30"], ...},
    /// "holidays": ["2026-10-01", ...], "makeUpWorkdays": [{"date": "2026-10-10", "worksAs": "monday"}, ...]}</c>.
    /// The zone defaults to Asia/Shanghai, worksAs to monday; weekdays not listed do not work; other
    /// properties ("source", "note") are ignored. The caller reads the file; this only parses the text.
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
        var zoneId = root["zone"] is null ? "Asia/Shanghai" : Text(root["zone"], "zone");
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId)
                   ?? throw new FormatException($"zone '{zoneId}' is not a known IANA time zone");

        var week = new Dictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>>();
        foreach (var (name, periods) in root["week"] as JsonObject ?? throw new FormatException("'week' is missing or is not an object"))
        {
            var day = Weekday(name, $"week: '{name}'");
            if (week.ContainsKey(day)) throw new FormatException($"week: {day} is listed twice");
            week[day] = (periods as JsonArray ?? throw new FormatException($"week.{name} must be a list like [\"08:30-12:00\"]"))
                .Select(p => ParsePeriod(Text(p, $"week.{name}"), $"week.{name}")).ToList();
        }
        var holidays = Array(root, "holidays").Select(d => ParseDate(Text(d, "holidays"), "holidays")).ToHashSet();
        var makeUp = new Dictionary<LocalDate, IsoDayOfWeek>();
        foreach (var item in Array(root, "makeUpWorkdays"))
        {
            var entry = item as JsonObject ?? throw new FormatException(
                "makeUpWorkdays: each entry must be an object like {\"date\": \"2026-10-10\", \"worksAs\": \"monday\"}");
            var date = ParseDate(Text(entry["date"], "makeUpWorkdays date"), "makeUpWorkdays");
            var worksAs = entry["worksAs"] is null ? "monday" : Text(entry["worksAs"], $"makeUpWorkdays {date:yyyy-MM-dd} worksAs");
            if (makeUp.ContainsKey(date)) throw new FormatException($"makeUpWorkdays: {date:yyyy-MM-dd} is listed twice");
            makeUp[date] = Weekday(worksAs, $"makeUpWorkdays {date:yyyy-MM-dd}: worksAs '{worksAs}'");
        }
        return new BusinessCalendar(zone, week, holidays, makeUp);
    }

    private static JsonArray Array(JsonObject root, string name) => root[name] switch
    {
        null => [],
        JsonArray a => a,
        _ => throw new FormatException($"'{name}' must be a list"),
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

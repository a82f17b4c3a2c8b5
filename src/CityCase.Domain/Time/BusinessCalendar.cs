using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;

namespace CityCase.Domain.Time;

/// <summary>A working period of a day in local time, [Start, End).</summary>
public sealed record WorkingPeriod(LocalTime Start, LocalTime End)
{
    public Duration Length => Period.Between(Start, End).ToDuration();
}

public enum LimitUnit
{
    WorkingHours,
    WorkingDays,
    NaturalHours,
}

/// <summary>
/// The city's business calendar: working periods per weekday (with the lunch break between them),
/// public holidays, and the make-up working days China moves onto weekends (调休). Pure: all
/// arithmetic is on instants, resolved through the city's time zone.
/// </summary>
public sealed class BusinessCalendar
{
    private const int MaxDaysSearched = 3700; // ten years: a limit that never ends is a broken calendar
    private readonly IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> _week;
    private readonly IReadOnlySet<LocalDate> _holidays;
    private readonly IReadOnlyDictionary<LocalDate, IsoDayOfWeek> _makeUpDays;

    public BusinessCalendar(DateTimeZone zone, IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>> week,
        IReadOnlySet<LocalDate>? holidays = null, IReadOnlyDictionary<LocalDate, IsoDayOfWeek>? makeUpDays = null)
    {
        Zone = zone;
        _week = week;
        _holidays = holidays ?? new HashSet<LocalDate>();
        _makeUpDays = makeUpDays ?? new Dictionary<LocalDate, IsoDayOfWeek>();
        foreach (var (day, periods) in week) Check(periods, day.ToString());
        var both = _holidays.Where(_makeUpDays.ContainsKey).ToList();
        if (both.Count > 0) throw new FormatException($"{both[0]:yyyy-MM-dd} is both a holiday and a make-up working day");
        if (WorkingDay <= Duration.Zero) throw new FormatException("Monday has no working periods: a working day would last nothing");
    }

    public DateTimeZone Zone { get; }

    /// <summary>
    /// One working day's worth of working time: a standard (Monday) day's periods, e.g. 7.5 hours —
    /// never 24 hours. "N working days" is N times this.
    /// </summary>
    public Duration WorkingDay => PeriodsOfWeekday(IsoDayOfWeek.Monday).Aggregate(Duration.Zero, (sum, p) => sum + p.Length);

    public Duration WorkingDays(int n) => WorkingDay * n;

    /// <summary>The working periods of a date: none on holidays; a make-up day works as its stated weekday.</summary>
    public IReadOnlyList<WorkingPeriod> PeriodsOn(LocalDate date) =>
        _holidays.Contains(date) ? []
        : _makeUpDays.TryGetValue(date, out var worksAs) ? PeriodsOfWeekday(worksAs)
        : PeriodsOfWeekday(date.DayOfWeek);

    /// <summary>
    /// The instant at which <paramref name="workingTime"/> of working time has passed, counting from
    /// <paramref name="start"/>. A start outside working time begins counting at the next working period;
    /// a zero duration returns the start itself.
    /// </summary>
    public Instant AddWorkingTime(Instant start, Duration workingTime)
    {
        if (workingTime < Duration.Zero) throw new ArgumentOutOfRangeException(nameof(workingTime), "must not be negative");
        if (workingTime == Duration.Zero) return start;
        var remaining = workingTime;
        foreach (var (from, to) in IntervalsFrom(start))
        {
            var available = to - from;
            if (remaining <= available) return from + remaining;
            remaining -= available;
        }
        throw new InvalidOperationException($"The calendar has no working time within {MaxDaysSearched} days of {start}.");
    }

    /// <summary>The working time between two instants (zero when <paramref name="to"/> is not after <paramref name="from"/>).</summary>
    public Duration WorkingTimeBetween(Instant from, Instant to)
    {
        var total = Duration.Zero;
        if (to <= from) return total;
        foreach (var (a, b) in IntervalsFrom(from))
        {
            if (a >= to) break;
            total += (b < to ? b : to) - a;
        }
        return total;
    }

    /// <summary>The deadline of a limit started at <paramref name="start"/>.</summary>
    public Instant Deadline(Instant start, double amount, LimitUnit unit) => unit switch
    {
        LimitUnit.NaturalHours => start + Duration.FromHours(amount),
        LimitUnit.WorkingHours => AddWorkingTime(start, Duration.FromMinutes(Math.Round(amount * 60))),
        LimitUnit.WorkingDays => AddWorkingTime(start, Duration.FromMinutes(Math.Round(WorkingDay.TotalMinutes * amount))),
        _ => throw new ArgumentOutOfRangeException(nameof(unit)),
    };

    /// <summary>The working intervals (as instants) from <paramref name="start"/> on, clipped to start there.</summary>
    private IEnumerable<(Instant From, Instant To)> IntervalsFrom(Instant start)
    {
        var date = start.InZone(Zone).Date;
        for (var i = 0; i < MaxDaysSearched; i++, date = date.PlusDays(1))
        foreach (var period in PeriodsOn(date))
        {
            // Local times are resolved leniently: a period starting in a spring-forward gap starts when the
            // clocks resume, and the interval's length is real elapsed time either side of a transition.
            var from = date.At(period.Start).InZoneLeniently(Zone).ToInstant();
            var to = (period.End == LocalTime.Midnight ? date.PlusDays(1).AtMidnight() : date.At(period.End))
                .InZoneLeniently(Zone).ToInstant();
            if (to <= start) continue;
            yield return (from < start ? start : from, to);
        }
    }

    private IReadOnlyList<WorkingPeriod> PeriodsOfWeekday(IsoDayOfWeek day) => _week.TryGetValue(day, out var p) ? p : [];

    private static void Check(IReadOnlyList<WorkingPeriod> periods, string day)
    {
        for (var i = 0; i < periods.Count; i++)
        {
            if (periods[i].End <= periods[i].Start && periods[i].End != LocalTime.Midnight)
                throw new FormatException($"{day}: the period {periods[i].Start:HH:mm}-{periods[i].End:HH:mm} ends before it starts");
            if (i > 0 && periods[i].Start < periods[i - 1].End)
                throw new FormatException($"{day}: the periods {periods[i - 1].Start:HH:mm}-{periods[i - 1].End:HH:mm} and " +
                                          $"{periods[i].Start:HH:mm}-{periods[i].End:HH:mm} overlap or are out of order");
        }
    }

    /// <summary>Reads samples/reference/calendar.json's shape; every error names what is wrong.</summary>
    public static BusinessCalendar Parse(string json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("the calendar must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"the calendar is not valid JSON: {e.Message}");
        }
        var zoneId = root["zone"]?.GetValue<string>() ?? "Asia/Shanghai";
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId)
                   ?? throw new FormatException($"zone '{zoneId}' is not a known IANA time zone");

        var week = new Dictionary<IsoDayOfWeek, IReadOnlyList<WorkingPeriod>>();
        foreach (var (name, periods) in root["week"] as JsonObject ?? throw new FormatException("'week' is missing"))
        {
            if (!Enum.TryParse<IsoDayOfWeek>(name, ignoreCase: true, out var day) || day == IsoDayOfWeek.None)
                throw new FormatException($"week: '{name}' is not a day of the week");
            week[day] = (periods as JsonArray ?? throw new FormatException($"week.{name} must be a list like [\"08:30-12:00\"]"))
                .Select(p => ParsePeriod(p?.GetValue<string>() ?? "", $"week.{name}")).ToList();
        }
        var holidays = (root["holidays"] as JsonArray ?? [])
            .Select(d => ParseDate(d?.GetValue<string>() ?? "", "holidays")).ToHashSet();
        var makeUp = new Dictionary<LocalDate, IsoDayOfWeek>();
        foreach (var item in root["makeUpWorkdays"] as JsonArray ?? [])
        {
            var date = ParseDate(item?["date"]?.GetValue<string>() ?? "", "makeUpWorkdays");
            var worksAs = item?["worksAs"]?.GetValue<string>() ?? "monday";
            makeUp[date] = Enum.TryParse<IsoDayOfWeek>(worksAs, ignoreCase: true, out var d) && d != IsoDayOfWeek.None
                ? d
                : throw new FormatException($"makeUpWorkdays {date:yyyy-MM-dd}: worksAs '{worksAs}' is not a day of the week");
        }
        return new BusinessCalendar(zone, week, holidays, makeUp);
    }

    private static WorkingPeriod ParsePeriod(string text, string where)
    {
        var parts = text.Split('-');
        var pattern = LocalTimePattern.CreateWithInvariantCulture("HH:mm");
        if (parts.Length != 2 || !pattern.Parse(parts[0]).Success || !pattern.Parse(parts[1].Replace("24:00", "00:00")).Success)
            throw new FormatException($"{where}: '{text}' is not a period like 08:30-12:00");
        return new WorkingPeriod(pattern.Parse(parts[0]).Value, pattern.Parse(parts[1].Replace("24:00", "00:00")).Value);
    }

    private static LocalDate ParseDate(string text, string where)
    {
        var result = LocalDatePattern.Iso.Parse(text);
        return result.Success ? result.Value : throw new FormatException($"{where}: '{text}' is not a date like 2026-10-01");
    }
}

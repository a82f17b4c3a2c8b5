using CityCase.Api.GraphQL;
using CityCase.Domain;
using CityCase.Domain.Assessment;
using CityCase.Domain.Reference;
using CityCase.Domain.Time;
using CityCase.Engine.Assessment;
using GraphQL;
using GraphQL.Types;
using Marten;
using NodaTime;

namespace CityCase.Api.Assessment;

public enum HotspotLevel
{
    Grid,
    Community,
    Street,
}

/// <summary>The subjects a scorecard can be about: the bucket kinds up to the dispatcher (the rest are hotline and hot-spot buckets).</summary>
public sealed class ScorecardDimensionType : EnumerationGraphType
{
    public ScorecardDimensionType()
    {
        Name = "ScorecardDimension";
        foreach (var kind in Enum.GetValues<BucketKind>().Where(k => k <= BucketKind.Dispatcher))
            Add(kind.ToString().ToConstantCase(), kind);
    }
}

public sealed class HotspotLevelType : EnumerationGraphType<HotspotLevel>
{
    public HotspotLevelType() => Name = "HotspotLevel";
}

/// <summary>One subject's figures over a period.</summary>
public sealed record Scorecard(BucketKind Dimension, string Subject, string? SubjectName, LocalDate From, LocalDate To,
    ScoreCounts Counts, double? CompositeScore);

public sealed record HotlineKpis(LocalDate From, LocalDate To, ScoreCounts Counts, double WorkingDayMinutes);

public sealed record Hotspot(HotspotLevel Level, string Code, string? Name, int Cases);

public sealed class ScoreCountsType : ObjectGraphType<ScoreCounts>
{
    /// <summary>The counters as GraphQL and the exports name them, in order, with what each counts.</summary>
    public static readonly IReadOnlyList<(string Name, Func<ScoreCounts, int> Value, string? Description)> Counters =
    [
        ("reported", c => c.Reported, "Cases reported in the place, or patrol findings reported by the inspector."),
        ("filed", c => c.Filed, "Of those, the ones filed (not rejected)."),
        ("dispatched", c => c.Dispatched, "Dispatches made by the dispatcher, or cases dispatched to (and held by) the department or place."),
        ("dispatchedOnTime", c => c.DispatchedOnTime, null),
        ("dispatchedAccurately", c => c.DispatchedAccurately, "Dispatches not sent back by the department."),
        ("shouldDispose", c => c.ShouldDispose, "Cases the department holds from dispatches in the period (voided and merged cases leave)."),
        ("disposed", c => c.Disposed, null),
        ("disposedOnTime", c => c.DisposedOnTime, null),
        ("shouldClose", c => c.ShouldClose, null),
        ("closed", c => c.Closed, null),
        ("closedOnTime", c => c.ClosedOnTime, null),
        ("suspended", c => c.Suspended, "Suspended now: they leave the close-rate denominators."),
        ("reworked", c => c.Reworked, null),
        ("overdueOpen", c => c.OverdueOpen, "Disposal clock red and not yet disposed."),
        ("extended", c => c.Extended, null),
        ("verifications", c => c.Verifications, null),
        ("verifiedOnTime", c => c.VerifiedOnTime, null),
        ("missedReports", c => c.MissedReports, null),
        ("supervisions", c => c.Supervisions, "Supervisions (督办) of the cases while the department held them."),
        ("supervisionsAnsweredLate", c => c.SupervisionsAnsweredLate, "Of them, the ones answered after their reply deadline."),
        ("reopened", c => c.Reopened, "Cases reopened (重办) after a dissatisfied follow-up or a complaint that the problem persists."),
    ];

    public ScoreCountsType()
    {
        Name = "ScoreCounts";
        Description = "The counters behind the rates (README: how a case is counted).";
        foreach (var (name, value, description) in Counters)
            Field<NonNullGraphType<IntGraphType>>(name).Resolve(c => value(c.Source)).Description(description);
    }
}

public sealed class ScorecardType : ObjectGraphType<Scorecard>
{
    /// <summary>The rates as GraphQL and the exports name them (the formulas are <see cref="Indicators"/>); null when the denominator is zero.</summary>
    public static readonly IReadOnlyList<(string Name, Func<ScoreCounts, double?> Rate, string Description)> Rates =
    [
        ("disposalRate", Indicators.DisposalRate, "处置率: disposed / should be disposed."),
        ("onTimeDisposalRate", Indicators.OnTimeDisposalRate, "按期处置率: disposed on time / should be disposed."),
        ("closeRate", Indicators.CloseRate, "结案率: closed / (should be closed − suspended)."),
        ("onTimeCloseRate", Indicators.OnTimeCloseRate, "按期结案率: closed on time / (should be closed − suspended)."),
        ("reworkRate", Indicators.ReworkRate, "返工率: reworked / should be closed."),
        ("overdueRate", Indicators.OverdueRate, "超期率: overdue and still open / should be disposed."),
        ("extensionRate", Indicators.ExtensionRate, "延期率: extended / should be disposed."),
        ("reopenRate", Indicators.ReopenRate, "重办率: reopened / should be closed (departments, places)."),
        ("lateAnswerRate", Indicators.LateAnswerRate, "Supervisions answered late / supervisions (departments, places)."),
        ("supervisionRate", Indicators.SupervisionRate, "Supervisions / should be disposed (departments, places)."),
        ("onTimeDispatchRate", Indicators.OnTimeDispatchRate, "Dispatched on time / dispatched (dispatchers)."),
        ("accurateDispatchRate", Indicators.AccurateDispatchRate, "Dispatched once to the right department / dispatched (dispatchers)."),
        ("validReportRate", Indicators.ValidReportRate, "Filed / reported (inspectors' patrol findings)."),
        ("onTimeVerificationRate", Indicators.OnTimeVerificationRate, "Verified on time / verifications (inspectors)."),
    ];

    public ScorecardType()
    {
        Name = "Scorecard";
        Description = "Assessment figures of one subject over a period; a rate is null when its denominator is zero.";
        Field<NonNullGraphType<ScorecardDimensionType>>("dimension").Resolve(c => c.Source.Dimension);
        Field(x => x.Subject).Description("The department or area code, or the inspector's or dispatcher's user id.");
        Field(x => x.SubjectName, nullable: true);
        Field<NonNullGraphType<DateGraphType>>("from").Resolve(c => c.Source.From);
        Field<NonNullGraphType<DateGraphType>>("to").Resolve(c => c.Source.To);
        Field<NonNullGraphType<ScoreCountsType>>("counts").Resolve(c => c.Source.Counts);
        foreach (var (name, rate, description) in Rates)
            Field<FloatGraphType>(name).Resolve(c => rate(c.Source.Counts)).Description(description);
        Field<NonNullGraphType<IntGraphType>>("missedReports").Resolve(c => c.Source.Counts.MissedReports)
            .Description("Filed hotline reports in the inspector's beat that the inspector did not report (inspectors).");
        Field(x => x.CompositeScore, nullable: true)
            .Description("Departments: the composite score out of 100 with the configured weights (City:Scorecard:Weights).");
    }
}

public sealed class HotlineKpisType : ObjectGraphType<HotlineKpis>
{
    /// <summary>The hotline's counts as GraphQL and the exports name them.</summary>
    public static readonly IReadOnlyList<(string Name, Func<HotlineKpis, int> Value, string? Description)> Counts =
    [
        ("cases", k => k.Counts.HotlineCases, null),
        ("closed", k => k.Counts.HotlineClosed, null),
        ("failedNotices", k => k.Counts.NoticesFailed,
            "Notices to citizens the notification gateway finally did not take (the notified rates count delivered notices only)."),
    ];

    /// <summary>The hotline's rates and averages (formulas: <see cref="Indicators"/>); null when nothing is counted.</summary>
    public static readonly IReadOnlyList<(string Name, Func<HotlineKpis, double?> Value, string Description)> Rates =
    [
        ("acceptanceNotifiedRate", k => Indicators.AcceptanceNotifiedRate(k.Counts),
            "Citizens told of the acceptance within the limit (City:Scorecard:AcceptanceNoticeWorkingDays) / cases."),
        ("completionNotifiedRate", k => Indicators.CompletionNotifiedRate(k.Counts), "Closed cases whose citizen was told it was done / closed cases."),
        ("averageHandlingWorkingDays", k => Indicators.AverageHandlingWorkingDays(k.Counts, k.WorkingDayMinutes),
            "Average working days from report to close, over the closed cases."),
        ("satisfactionRate", k => Indicators.SatisfactionRate(k.Counts), "Share of follow-up scores of 4 or 5."),
        ("followUpRate", k => Indicators.FollowUpRate(k.Counts), "Closed cases with a follow-up score / closed cases."),
    ];

    public HotlineKpisType()
    {
        Name = "HotlineKpis";
        Description = "12345 hotline figures over the hotline cases reported in the period (rejected, voided and merged ones left out).";
        Field<NonNullGraphType<DateGraphType>>("from").Resolve(c => c.Source.From);
        Field<NonNullGraphType<DateGraphType>>("to").Resolve(c => c.Source.To);
        foreach (var (name, value, description) in Counts)
            Field<NonNullGraphType<IntGraphType>>(name).Resolve(c => value(c.Source)).Description(description);
        foreach (var (name, value, description) in Rates)
            Field<FloatGraphType>(name).Resolve(c => value(c.Source)).Description(description);
    }
}

public sealed class HotspotType : ObjectGraphType<Hotspot>
{
    public HotspotType()
    {
        Name = "Hotspot";
        Field<NonNullGraphType<HotspotLevelType>>("level").Resolve(c => c.Source.Level);
        Field(x => x.Code);
        Field(x => x.Name, nullable: true);
        Field(x => x.Cases).Description("Cases reported there in the period (rejected, voided and merged ones left out).");
    }
}

/// <summary>Scorecards, hotline figures and hot spots: sums of the daily buckets of <see cref="ScorecardProjection"/>.</summary>
public static class AssessmentQueries
{
    /// <summary>A long enough range for a year's report; longer ones are refused rather than left to run.</summary>
    public const int MaxDays = 366;

    public static void AddAssessmentQueries(this ObjectGraphType query)
    {
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<ScorecardType>>>>("scorecards")
            .Description("Assessment figures per department, street, community, grid, inspector or dispatcher over the days from..to (inclusive, the city's days).")
            .Argument<NonNullGraphType<ScorecardDimensionType>>("dimension")
            .Argument<NonNullGraphType<DateGraphType>>("from")
            .Argument<NonNullGraphType<DateGraphType>>("to")
            .ResolveAsync(async context =>
            {
                context.RequireActor();
                var (from, to) = Range(context);
                return await ScorecardsAsync(context.RequestServices!, context.GetArgument<BucketKind>("dimension"), from, to, context.CancellationToken);
            });

        query.Field<NonNullGraphType<HotlineKpisType>>("hotlineKpis")
            .Description("The 12345 hotline's figures over the cases reported on the days from..to (inclusive).")
            .Argument<NonNullGraphType<DateGraphType>>("from")
            .Argument<NonNullGraphType<DateGraphType>>("to")
            .ResolveAsync(async context =>
            {
                context.RequireActor();
                var (from, to) = Range(context);
                return await HotlineKpisAsync(context.RequestServices!, from, to, context.CancellationToken);
            });

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<HotspotType>>>>("hotspots")
            .Description("Case counts by grid, community or street over the days from..to (inclusive), most cases first; optionally of one category.")
            .Argument<NonNullGraphType<HotspotLevelType>>("level")
            .Argument<NonNullGraphType<DateGraphType>>("from")
            .Argument<NonNullGraphType<DateGraphType>>("to")
            .Argument<StringGraphType>("categoryCode")
            .ResolveAsync(async context =>
            {
                context.RequireActor();
                var level = context.GetArgument<HotspotLevel>("level");
                var (from, to) = Range(context);
                var category = context.GetArgument<string?>("categoryCode");
                var reference = context.Service<ReferenceData>();
                if (category is not null && !reference.IsKnownCategory(category))
                    throw new DomainException(ErrorCodes.ValidationFailed, $"categoryCode '{category}' is not a category of the catalogue.");
                var kind = level switch
                {
                    HotspotLevel.Grid => BucketKind.HotspotGrid,
                    HotspotLevel.Community => BucketKind.HotspotCommunity,
                    _ => BucketKind.HotspotStreet,
                };
                var names = level switch
                {
                    HotspotLevel.Grid => reference.Grids.ToDictionary(g => g.Code, g => g.Name),
                    HotspotLevel.Community => reference.Grids.DistinctBy(g => g.CommunityCode).ToDictionary(g => g.CommunityCode, g => g.CommunityName),
                    _ => reference.Grids.DistinctBy(g => g.StreetCode).ToDictionary(g => g.StreetCode, g => g.StreetName),
                };
                var sums = await context.Service<ScoreBucketSums>().SumAsync(kind, from, to, category, context.CancellationToken);
                return sums.BySubject.Select(s => new Hotspot(level, s.Key, names.GetValueOrDefault(s.Key), s.Value.Reported))
                    .Where(h => h.Cases > 0)
                    .OrderByDescending(h => h.Cases).ThenBy(h => h.Code, StringComparer.Ordinal).ToList();
            });
    }

    /// <summary>The scorecards of every subject of a dimension over the days from..to (inclusive): GraphQL's and the exports'.</summary>
    public static async Task<IReadOnlyList<Scorecard>> ScorecardsAsync(IServiceProvider services, BucketKind dimension,
        LocalDate from, LocalDate to, CancellationToken ct)
    {
        var sums = await services.GetRequiredService<ScoreBucketSums>().SumAsync(dimension, from, to, category: null, ct);
        var reference = services.GetRequiredService<ReferenceData>();
        var known = dimension switch
        {
            BucketKind.Department => reference.Departments.ToDictionary(d => d.Code, d => (string?)d.Name),
            BucketKind.Street => reference.Grids.DistinctBy(g => g.StreetCode).ToDictionary(g => g.StreetCode, g => (string?)g.StreetName),
            BucketKind.Community => reference.Grids.DistinctBy(g => g.CommunityCode).ToDictionary(g => g.CommunityCode, g => (string?)g.CommunityName),
            BucketKind.Grid => reference.Grids.ToDictionary(g => g.Code, g => (string?)g.Name),
            BucketKind.Inspector => services.GetRequiredService<AssessmentRules>().InspectorOfGrid.Values.Distinct().ToDictionary(u => u, _ => (string?)null),
            _ => new Dictionary<string, string?>(),
        };
        // The composite is computed with the weights of the version the figures come from, whatever this node's own.
        var weights = await services.GetRequiredService<ScorecardVersions>().WeightsOfAsync(sums.RulesVersion, ct);
        return known.Keys.Union(sums.BySubject.Keys).Order(StringComparer.Ordinal).Select(subject =>
        {
            var counts = sums.BySubject.GetValueOrDefault(subject) ?? ScoreCounts.Zero;
            return new Scorecard(dimension, subject, known.GetValueOrDefault(subject), from, to, counts,
                dimension == BucketKind.Department ? Indicators.CompositeScore(counts, weights) : null);
        }).ToList();
    }

    /// <summary>The hotline's figures over the cases reported on the days from..to (inclusive).</summary>
    public static async Task<HotlineKpis> HotlineKpisAsync(IServiceProvider services, LocalDate from, LocalDate to, CancellationToken ct)
    {
        var sums = await services.GetRequiredService<ScoreBucketSums>().SumAsync(BucketKind.Hotline, from, to, category: null, ct);
        return new HotlineKpis(from, to, ScoreCounts.Sum(sums.BySubject.Values), services.GetRequiredService<BusinessCalendar>().WorkingDay.TotalMinutes);
    }

    /// <summary>The hotline's figures of each day from..to (inclusive), as <see cref="HotlineKpisAsync"/> answers for that day, in one query.</summary>
    public static async Task<IReadOnlyList<HotlineKpis>> HotlineKpisPerDayAsync(IServiceProvider services, LocalDate from, LocalDate to, CancellationToken ct)
    {
        var (_, byDay) = await services.GetRequiredService<ScoreBucketSums>().SumPerDayAsync(BucketKind.Hotline, from, to, ct);
        var workingDayMinutes = services.GetRequiredService<BusinessCalendar>().WorkingDay.TotalMinutes;
        var days = new List<HotlineKpis>();
        for (var day = from; day <= to; day = day.PlusDays(1))
            days.Add(new HotlineKpis(day, day, byDay.GetValueOrDefault(ScoreBucket.NumberOf(day)) ?? ScoreCounts.Zero, workingDayMinutes));
        return days;
    }

    /// <summary>The from..to days of a figures query, checked: in order, a year at most.</summary>
    internal static (LocalDate From, LocalDate To) Range(IResolveFieldContext context) =>
        CheckedRange(context.GetArgument<LocalDate>("from"), context.GetArgument<LocalDate>("to"));

    public static (LocalDate From, LocalDate To) CheckedRange(LocalDate from, LocalDate to)
    {
        if (to < from)
            throw new DomainException(ErrorCodes.ValidationFailed, $"'to' ({to:yyyy-MM-dd}) is before 'from' ({from:yyyy-MM-dd}).");
        if (Period.DaysBetween(from, to) >= MaxDays)
            throw new DomainException(ErrorCodes.ValidationFailed, $"The range from {from:yyyy-MM-dd} to {to:yyyy-MM-dd} is longer than {MaxDays} days; ask for a year at most.");
        return (from, to);
    }
}

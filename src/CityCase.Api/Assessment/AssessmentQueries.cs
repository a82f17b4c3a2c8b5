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
    public ScoreCountsType()
    {
        Name = "ScoreCounts";
        Description = "The counters behind the rates (README: how a case is counted).";
        Field(x => x.Reported).Description("Cases reported in the place, or patrol findings reported by the inspector.");
        Field(x => x.Filed).Description("Of those, the ones filed (not rejected).");
        Field(x => x.Dispatched).Description("Dispatches made by the dispatcher, or cases dispatched to (and held by) the department or place.");
        Field(x => x.DispatchedOnTime);
        Field(x => x.DispatchedAccurately).Description("Dispatches not sent back by the department.");
        Field(x => x.ShouldDispose).Description("Cases the department holds from dispatches in the period (voided and merged cases leave).");
        Field(x => x.Disposed);
        Field(x => x.DisposedOnTime);
        Field(x => x.ShouldClose);
        Field(x => x.Closed);
        Field(x => x.ClosedOnTime);
        Field(x => x.Suspended).Description("Suspended now: they leave the close-rate denominators.");
        Field(x => x.Reworked);
        Field(x => x.OverdueOpen).Description("Disposal clock red and not yet disposed.");
        Field(x => x.Extended);
        Field(x => x.Verifications);
        Field(x => x.VerifiedOnTime);
        Field(x => x.MissedReports);
        Field(x => x.Supervisions).Description("Supervisions (督办) of the cases while the department held them.");
        Field(x => x.SupervisionsAnsweredLate).Description("Of them, the ones answered after their reply deadline.");
        Field(x => x.Reopened).Description("Cases reopened (重办) after a dissatisfied follow-up or a complaint that the problem persists.");
    }
}

public sealed class ScorecardType : ObjectGraphType<Scorecard>
{
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
        Rate("disposalRate", Indicators.DisposalRate, "处置率: disposed / should be disposed.");
        Rate("onTimeDisposalRate", Indicators.OnTimeDisposalRate, "按期处置率: disposed on time / should be disposed.");
        Rate("closeRate", Indicators.CloseRate, "结案率: closed / (should be closed − suspended).");
        Rate("onTimeCloseRate", Indicators.OnTimeCloseRate, "按期结案率: closed on time / (should be closed − suspended).");
        Rate("reworkRate", Indicators.ReworkRate, "返工率: reworked / should be closed.");
        Rate("overdueRate", Indicators.OverdueRate, "超期率: overdue and still open / should be disposed.");
        Rate("extensionRate", Indicators.ExtensionRate, "延期率: extended / should be disposed.");
        Rate("reopenRate", Indicators.ReopenRate, "重办率: reopened / should be closed (departments, places).");
        Rate("lateAnswerRate", Indicators.LateAnswerRate, "Supervisions answered late / supervisions (departments, places).");
        Rate("supervisionRate", Indicators.SupervisionRate, "Supervisions / should be disposed (departments, places).");
        Rate("onTimeDispatchRate", Indicators.OnTimeDispatchRate, "Dispatched on time / dispatched (dispatchers).");
        Rate("accurateDispatchRate", Indicators.AccurateDispatchRate, "Dispatched once to the right department / dispatched (dispatchers).");
        Rate("validReportRate", Indicators.ValidReportRate, "Filed / reported (inspectors' patrol findings).");
        Rate("onTimeVerificationRate", Indicators.OnTimeVerificationRate, "Verified on time / verifications (inspectors).");
        Field<NonNullGraphType<IntGraphType>>("missedReports").Resolve(c => c.Source.Counts.MissedReports)
            .Description("Filed hotline reports in the inspector's beat that the inspector did not report (inspectors).");
        Field(x => x.CompositeScore, nullable: true)
            .Description("Departments: the composite score out of 100 with the configured weights (City:Scorecard:Weights).");
    }

    private void Rate(string name, Func<ScoreCounts, double?> rate, string description) =>
        Field<FloatGraphType>(name).Resolve(c => rate(c.Source.Counts)).Description(description);
}

public sealed class HotlineKpisType : ObjectGraphType<HotlineKpis>
{
    public HotlineKpisType()
    {
        Name = "HotlineKpis";
        Description = "12345 hotline figures over the hotline cases reported in the period (rejected, voided and merged ones left out).";
        Field<NonNullGraphType<DateGraphType>>("from").Resolve(c => c.Source.From);
        Field<NonNullGraphType<DateGraphType>>("to").Resolve(c => c.Source.To);
        Field<NonNullGraphType<IntGraphType>>("cases").Resolve(c => c.Source.Counts.HotlineCases);
        Field<NonNullGraphType<IntGraphType>>("closed").Resolve(c => c.Source.Counts.HotlineClosed);
        Field<FloatGraphType>("acceptanceNotifiedRate").Resolve(c => Indicators.AcceptanceNotifiedRate(c.Source.Counts))
            .Description("Citizens told of the acceptance within the limit (City:Scorecard:AcceptanceNoticeWorkingDays) / cases.");
        Field<FloatGraphType>("completionNotifiedRate").Resolve(c => Indicators.CompletionNotifiedRate(c.Source.Counts))
            .Description("Closed cases whose citizen was told it was done / closed cases.");
        Field<FloatGraphType>("averageHandlingWorkingDays")
            .Resolve(c => Indicators.AverageHandlingWorkingDays(c.Source.Counts, c.Source.WorkingDayMinutes))
            .Description("Average working days from report to close, over the closed cases.");
        Field<FloatGraphType>("satisfactionRate").Resolve(c => Indicators.SatisfactionRate(c.Source.Counts))
            .Description("Share of follow-up scores of 4 or 5.");
        Field<FloatGraphType>("followUpRate").Resolve(c => Indicators.FollowUpRate(c.Source.Counts))
            .Description("Closed cases with a follow-up score / closed cases.");
        Field<NonNullGraphType<IntGraphType>>("failedNotices").Resolve(c => c.Source.Counts.NoticesFailed)
            .Description("Notices to citizens the notification gateway finally did not take (the notified rates count delivered notices only).");
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
                var dimension = context.GetArgument<BucketKind>("dimension");
                var (from, to) = Range(context);
                var sums = await SumAsync(context, dimension, from, to, category: null);
                var reference = context.Service<ReferenceData>();
                var known = dimension switch
                {
                    BucketKind.Department => reference.Departments.ToDictionary(d => d.Code, d => (string?)d.Name),
                    BucketKind.Street => reference.Grids.DistinctBy(g => g.StreetCode).ToDictionary(g => g.StreetCode, g => (string?)g.StreetName),
                    BucketKind.Community => reference.Grids.DistinctBy(g => g.CommunityCode).ToDictionary(g => g.CommunityCode, g => (string?)g.CommunityName),
                    BucketKind.Grid => reference.Grids.ToDictionary(g => g.Code, g => (string?)g.Name),
                    BucketKind.Inspector => context.Service<AssessmentRules>().InspectorOfGrid.Values.Distinct().ToDictionary(u => u, _ => (string?)null),
                    _ => new Dictionary<string, string?>(),
                };
                // The composite is computed with the weights of the version the figures come from, whatever this node's own.
                var weights = await context.Service<ScorecardVersions>().WeightsOfAsync(sums.RulesVersion, context.CancellationToken);
                return known.Keys.Union(sums.BySubject.Keys).Order(StringComparer.Ordinal).Select(subject =>
                {
                    var counts = sums.BySubject.GetValueOrDefault(subject) ?? ScoreCounts.Zero;
                    return new Scorecard(dimension, subject, known.GetValueOrDefault(subject), from, to, counts,
                        dimension == BucketKind.Department ? Indicators.CompositeScore(counts, weights) : null);
                }).ToList();
            });

        query.Field<NonNullGraphType<HotlineKpisType>>("hotlineKpis")
            .Description("The 12345 hotline's figures over the cases reported on the days from..to (inclusive).")
            .Argument<NonNullGraphType<DateGraphType>>("from")
            .Argument<NonNullGraphType<DateGraphType>>("to")
            .ResolveAsync(async context =>
            {
                context.RequireActor();
                var (from, to) = Range(context);
                var sums = await SumAsync(context, BucketKind.Hotline, from, to, category: null);
                return new HotlineKpis(from, to, ScoreCounts.Sum(sums.BySubject.Values), context.Service<BusinessCalendar>().WorkingDay.TotalMinutes);
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
                var sums = await SumAsync(context, kind, from, to, category);
                return sums.BySubject.Select(s => new Hotspot(level, s.Key, names.GetValueOrDefault(s.Key), s.Value.Reported))
                    .Where(h => h.Cases > 0)
                    .OrderByDescending(h => h.Cases).ThenBy(h => h.Code, StringComparer.Ordinal).ToList();
            });
    }

    /// <summary>The from..to days of a figures query, checked: in order, a year at most.</summary>
    internal static (LocalDate From, LocalDate To) Range(IResolveFieldContext context)
    {
        var from = context.GetArgument<LocalDate>("from");
        var to = context.GetArgument<LocalDate>("to");
        if (to < from)
            throw new DomainException(ErrorCodes.ValidationFailed, $"'to' ({to:yyyy-MM-dd}) is before 'from' ({from:yyyy-MM-dd}).");
        if (Period.DaysBetween(from, to) >= MaxDays)
            throw new DomainException(ErrorCodes.ValidationFailed, $"The range from {from:yyyy-MM-dd} to {to:yyyy-MM-dd} is longer than {MaxDays} days; ask for a year at most.");
        return (from, to);
    }

    /// <summary>The buckets of one kind over the days, summed per subject (of one category, when given).</summary>
    private static Task<ScoreSums> SumAsync(IResolveFieldContext context, BucketKind kind,
        LocalDate from, LocalDate to, string? category) =>
        context.Service<ScoreBucketSums>().SumAsync(kind, from, to, category, context.CancellationToken);
}

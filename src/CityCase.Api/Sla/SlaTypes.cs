using CityCase.Api.Access;
using CityCase.Api.Cases;
using CityCase.Api.GraphQL;
using CityCase.Domain.Time;
using CityCase.Engine.Cases;
using CityCase.Engine.Sla;
using CityCase.Domain;
using GraphQL;
using GraphQL.Types;
using Marten;
using NodaTime;

namespace CityCase.Api.Sla;

public sealed class ClockKindType : EnumerationGraphType<ClockKind>
{
    public ClockKindType() => Name = "ClockKind";
}

public sealed class LightType : EnumerationGraphType<Light>
{
    public LightType() => Name = "Light";
}

/// <summary>A running clock at the moment of the query.</summary>
public sealed record ClockNow(ClockKind Clock, Instant StartedAt, Instant DueAt, int RemainingWorkingMinutes, Light Light,
    bool Provisional);

public sealed class ClockNowType : ObjectGraphType<ClockNow>
{
    public ClockNowType()
    {
        Name = "Clock";
        Description = "A running SLA clock: when it is due, the working minutes left (negative when overdue), and its light now.";
        Field<NonNullGraphType<ClockKindType>>("clock").Resolve(c => c.Source.Clock);
        Field<NonNullGraphType<InstantGraphType>>("startedAt").Resolve(c => c.Source.StartedAt);
        Field<NonNullGraphType<InstantGraphType>>("dueAt").Resolve(c => c.Source.DueAt);
        Field(x => x.RemainingWorkingMinutes);
        Field<NonNullGraphType<LightType>>("light").Resolve(c => c.Source.Light);
        Field(x => x.Provisional).Description(
            "The deadline was counted over a year whose official holidays were not loaded yet; it is counted again once they are.");
    }
}

public static class SlaNow
{
    /// <summary>The clocks of a case as of now: the light is the recorded one or, if time has moved on, the due one.</summary>
    public static IReadOnlyList<ClockNow> Clocks(CaseView view, BusinessCalendar calendar, Instant now) =>
        view.Clocks.Select(c =>
        {
            var remaining = now <= c.Deadline
                ? calendar.WorkingTimeBetween(now, c.Deadline)
                : -calendar.WorkingTimeBetween(c.Deadline, now);
            var due = SlaLights.LightAt(new SlaSchedule(c.YellowAt, c.Deadline), now);
            var light = view.Suspended ? c.RecordedLight : (Light)Math.Max((int)c.RecordedLight, (int)due);
            return new ClockNow(c.Clock, c.StartedAt, c.Deadline, (int)Math.Floor(remaining.TotalMinutes), light, c.Provisional);
        }).OrderBy(c => c.DueAt).ToList();

    public static Light Worst(IReadOnlyList<ClockNow> clocks) => clocks.Count == 0 ? Light.Green : clocks.Max(c => c.Light);
}

public sealed record SlaBoard(int Green, int Yellow, int Red, IReadOnlyList<SlaBoardCase> Cases, bool HasNextPage, string? EndCursor);

public sealed record SlaBoardCase(CaseView Case, Light Light, IReadOnlyList<ClockNow> Clocks);

public sealed class SlaBoardCaseType : ObjectGraphType<SlaBoardCase>
{
    public SlaBoardCaseType()
    {
        Name = "SlaBoardCase";
        Field<NonNullGraphType<CaseType>>("case").Resolve(c => c.Source.Case);
        Field<NonNullGraphType<LightType>>("light").Resolve(c => c.Source.Light).Description("The worst light among its clocks.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ClockNowType>>>>("clocks").Resolve(c => c.Source.Clocks);
    }
}

public sealed class SlaBoardType : ObjectGraphType<SlaBoard>
{
    public SlaBoardType()
    {
        Name = "SlaBoard";
        Field(x => x.Green);
        Field(x => x.Yellow);
        Field(x => x.Red);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<SlaBoardCaseType>>>>("cases").Resolve(c => c.Source.Cases)
            .Description("A page of the open cases with running clocks, red first, then yellow, then green; soonest due first.");
        Field<NonNullGraphType<PageInfoType>>("pageInfo").Resolve(c => new CaseConnection([], c.Source.HasNextPage, c.Source.EndCursor))
            .Description("Pass endCursor as after for the next page.");
    }
}

public static class SlaQueries
{
    public static void AddSlaQueries(this ObjectGraphType query)
    {
        query.Field<NonNullGraphType<SlaBoardType>>("slaBoard")
            .Description("Counts per light (GREEN, YELLOW, RED) over every open case with running clocks, for one department or all, and a page of the cases behind them.")
            .Argument<StringGraphType>("departmentCode")
            .Argument<IntGraphType>("first", $"Cases per page, 1 to {CaseConnectionQueries.MaxPage} (default 20).")
            .Argument<StringGraphType>("after", "The endCursor of the page before.")
            .ResolveAsync(async context =>
            {
                var actor = context.RequireActor();
                var department = context.DepartmentInScope(actor);
                var first = CaseConnectionQueries.PageSize(context.GetArgument<int?>("first"));
                var after = CaseConnection.Key(context.GetArgument<string?>("after")) is { } key
                    ? SlaBoardRow.Parse(key) is not null ? key : throw new ValidationFailedException($"after: {key} is not a cursor of slaBoard")
                    : null;
                var now = context.Service<IClock>().GetCurrentInstant();
                var page = await context.Service<SlaBoardQuery>().PageAsync(now, department, first, after, context.CancellationToken);
                var views = (await context.Service<IQuerySession>().LoadManyAsync<CaseView>(context.CancellationToken, page.Rows.Select(r => r.CaseId)))
                    .ToDictionary(v => v.Id);
                var calendar = context.Service<BusinessCalendar>();
                var cases = page.Rows.Where(r => views.ContainsKey(r.CaseId))
                    .Select(r => { var view = views[r.CaseId]; var clocks = SlaNow.Clocks(view, calendar, now); return new SlaBoardCase(view, SlaNow.Worst(clocks), clocks); })
                    .ToList();
                return new SlaBoard(page.Green, page.Yellow, page.Red, cases, page.HasNextPage,
                    page.Rows.Count > 0 ? CaseConnection.Cursor(page.Rows[^1].Position) : null);
            });
    }
}

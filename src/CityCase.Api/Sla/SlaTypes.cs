using CityCase.Api.Access;
using CityCase.Api.Cases;
using CityCase.Api.GraphQL;
using CityCase.Domain.Time;
using CityCase.Engine.Cases;
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

public sealed record SlaBoard(int Green, int Yellow, int Red, IReadOnlyList<SlaBoardCase> Cases);

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
            .Description("The open cases with running clocks, red first, then yellow, then green; soonest due first.");
    }
}

public static class SlaQueries
{
    public static void AddSlaQueries(this ObjectGraphType query)
    {
        query.Field<NonNullGraphType<SlaBoardType>>("slaBoard")
            .Description("Counts per light (GREEN, YELLOW, RED) and the cases behind them, for one department or all.")
            .Argument<StringGraphType>("departmentCode")
            .ResolveAsync(async context =>
            {
                var actor = context.RequireActor();
                var department = context.DepartmentInScope(actor);
                var query = context.Service<IQuerySession>().Query<CaseView>().Where(v => v.IsOpen);
                if (department is not null) query = query.Where(v => v.DepartmentCode == department);
                var views = await query.ToListAsync(context.CancellationToken);
                var now = context.Service<IClock>().GetCurrentInstant();
                var calendar = context.Service<BusinessCalendar>();
                var cases = views.Where(v => v.Clocks.Count > 0)
                    .Select(v => { var clocks = SlaNow.Clocks(v, calendar, now); return new SlaBoardCase(v, SlaNow.Worst(clocks), clocks); })
                    .OrderByDescending(c => c.Light).ThenBy(c => c.Clocks[0].DueAt).ToList();
                return new SlaBoard(cases.Count(c => c.Light == Light.Green), cases.Count(c => c.Light == Light.Yellow),
                    cases.Count(c => c.Light == Light.Red), cases);
            });
    }
}

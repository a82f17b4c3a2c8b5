using CityCase.Api.Cases;
using CityCase.Api.GraphQL;
using CityCase.Domain;
using CityCase.Domain.Time;
using CityCase.Engine.Sla;
using GraphQL;
using GraphQL.Types;
using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NodaTime;

namespace CityCase.Api.Sla;

/// <summary>One version of the city's business calendar: who recorded it, when, and what changed.</summary>
public sealed record CalendarVersion(int Version, Instant At, Actor By, IReadOnlyList<string> Changes,
    IReadOnlyList<int> OfficialYears, IReadOnlyList<int> ProvisionalYears);

public sealed class CalendarVersionType : ObjectGraphType<CalendarVersion>
{
    public CalendarVersionType()
    {
        Name = "CalendarVersion";
        Description = "A version of the city's business calendar (holidays, make-up working days, working hours).";
        Field(x => x.Version);
        Field<NonNullGraphType<InstantGraphType>>("at").Resolve(c => c.Source.At);
        Field<NonNullGraphType<ActorType>>("by").Resolve(c => c.Source.By);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("changes").Resolve(c => c.Source.Changes)
            .Description("What differs from the version before, e.g. \"2027: official schedule (was provisional)\"; empty when nothing did.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IntGraphType>>>>("officialYears").Resolve(c => c.Source.OfficialYears);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IntGraphType>>>>("provisionalYears").Resolve(c => c.Source.ProvisionalYears)
            .Description("Years listed without the State Council's notice; years not listed at all are provisional too.");
    }
}

public static class CalendarFields
{
    public static void AddCalendarQueries(this ObjectGraphType query) =>
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<CalendarVersionType>>>>("calendarHistory")
            .Description("Every version of the city's business calendar, oldest first: when the rules of time changed, and who changed them.")
            .ResolveAsync(async context =>
            {
                context.RequireActor();
                var events = await context.Service<IQuerySession>().Events
                    .FetchStreamAsync(CalendarChanged.StreamId, token: context.CancellationToken);
                return events.Select(e => e.Data is CalendarChanged c
                    ? new CalendarVersion((int)e.Version, c.At, c.By, c.Changes, c.OfficialYears, c.ProvisionalYears)
                    : null).OfType<CalendarVersion>().ToList();
            });

    public static void AddCalendarMutations(this ObjectGraphType mutation) =>
        mutation.Field<NonNullGraphType<CalendarVersionType>>("reloadCalendar")
            .Description("Reads calendar.json again, validates it and, if it differs, records it as the calendar in force on every node; " +
                         "running provisional deadlines are counted again. A bad file is refused and the calendar in force stays. For: admin.")
            .ResolveAsync(async context =>
            {
                var admin = context.RequireActor();
                var reload = await context.Service<CalendarKeeper>().ReloadAsync(admin, context.CancellationToken);
                var calendar = context.Service<CityCalendar>().Current;
                return new CalendarVersion(reload.Version, context.Service<IClock>().GetCurrentInstant(), admin, reload.Changes,
                    calendar.OfficialYears, calendar.ProvisionalYears);
            });
}

/// <summary>Degraded from <c>City:Calendar:WarnFrom</c> (1 November) while next year's official holidays are not loaded.</summary>
public sealed class CalendarHealthCheck(CalendarKeeper keeper) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(keeper.MissingNextYear() is { } year
            ? HealthCheckResult.Degraded($"The business calendar has no official schedule for {year}: deadlines reaching into it " +
                                         "are provisional. Add the State Council's notice to calendar.json and run reloadCalendar.")
            : HealthCheckResult.Healthy("The business calendar covers next year"));
}

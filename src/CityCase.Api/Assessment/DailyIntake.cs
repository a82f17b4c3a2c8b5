using CityCase.Api.GraphQL;
using CityCase.Domain.Cases;
using CityCase.Engine.Cases;
using GraphQL;
using GraphQL.Types;
using Marten;
using NodaTime;
using Npgsql;

namespace CityCase.Api.Assessment;

/// <summary>The cases reported on one of the city's days, by channel (every report, whatever became of it).</summary>
public sealed record DailyIntake(LocalDate Date, int Hotline, int Patrol, int Sensor)
{
    public int Total => Hotline + Patrol + Sensor;
}

public sealed class DailyIntakeType : ObjectGraphType<DailyIntake>
{
    public DailyIntakeType()
    {
        Name = "DailyIntake";
        Description = "The cases reported on one of the city's days, by channel: every report, rejected, voided and merged ones too.";
        Field<NonNullGraphType<DateGraphType>>("date").Resolve(c => c.Source.Date);
        Field(x => x.Hotline).Description("Reported through the 12345 hotline.");
        Field(x => x.Patrol).Description("Found by grid inspectors on patrol.");
        Field(x => x.Sensor).Description("Raised by sensors.");
        Field(x => x.Total);
    }
}

/// <summary>
/// Intake per day and channel, for the command centre's screen and its 7-day trend. A case number begins with the
/// day it was reported (CaseNumber.DayPrefix), so a range of days is one scan of the case views' unique number index.
/// </summary>
public static class DailyIntakeQuery
{
    public static void AddDailyIntakeQuery(this ObjectGraphType query) =>
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<DailyIntakeType>>>>("dailyIntake")
            .Description("Cases reported per day and channel over the days from..to (inclusive, the city's days, at most 366), a row for every day.")
            .Argument<NonNullGraphType<DateGraphType>>("from")
            .Argument<NonNullGraphType<DateGraphType>>("to")
            .ResolveAsync(async context =>
            {
                context.RequireActor();
                var (from, to) = AssessmentQueries.Range(context);
                return await ReadAsync(context.Service<NpgsqlDataSource>(), context.Service<IDocumentStore>(), from, to, context.CancellationToken);
            });

    public static async Task<IReadOnlyList<DailyIntake>> ReadAsync(NpgsqlDataSource dataSource, IDocumentStore store,
        LocalDate from, LocalDate to, CancellationToken ct)
    {
        var views = store.Options.Schema.For<CaseView>();
        var counts = new Dictionary<(string Day, string Source), int>();
        await using (var command = dataSource.CreateCommand($"""
            select left(data ->> 'number', 8), data ->> 'source', count(*)::int
            from {views} where data ->> 'number' >= $1 and data ->> 'number' < $2
            group by 1, 2
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = CaseNumber.DayPrefix(from) });
            command.Parameters.Add(new NpgsqlParameter { Value = CaseNumber.DayPrefix(to.PlusDays(1)) });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) counts[(reader.GetString(0), reader.GetString(1))] = reader.GetInt32(2);
        }
        var days = new List<DailyIntake>();
        for (var day = from; day <= to; day = day.PlusDays(1))
        {
            var prefix = CaseNumber.DayPrefix(day);
            int Of(CaseSource source) => counts.GetValueOrDefault((prefix, source.ToString()));
            days.Add(new DailyIntake(day, Of(CaseSource.Hotline), Of(CaseSource.Patrol), Of(CaseSource.Sensor)));
        }
        return days;
    }
}

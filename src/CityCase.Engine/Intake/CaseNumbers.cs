using CityCase.Domain.Cases;
using NodaTime;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace CityCase.Engine.Intake;

/// <summary>
/// Allocates human case numbers: the city's local date plus that day's sequence.
/// One row per day, incremented by a single atomic upsert in its own short transaction, so concurrent
/// intakes never share a number and the row lock is held for microseconds rather than for the whole
/// intake transaction. A failed intake leaves a gap, which is fine: numbers must be unique and
/// increasing, not dense.
/// </summary>
public sealed class CaseNumbers(NpgsqlDataSource dataSource, IClock clock, DateTimeZone zone, CitySettings city)
{
    public const string TableName = "cc_case_number_days";

    private readonly string _next =
        $"""
         insert into {city.Schema}.{TableName} as d (day, last) values ($1, 1)
         on conflict (day) do update set last = d.last + 1
         returning last
         """;

    private readonly string _nextMany =
        $"""
         insert into {city.Schema}.{TableName} as d (day, last) values ($1, $2)
         on conflict (day) do update set last = d.last + $2
         returning last
         """;

    public static Table Table(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn("day", "date").AsPrimaryKey();
        table.AddColumn("last", "bigint").NotNull();
        return table;
    }

    public async Task<string> NextAsync(CancellationToken ct)
    {
        var day = clock.GetCurrentInstant().InZone(zone).Date;
        await using var command = dataSource.CreateCommand(_next);
        command.Parameters.Add(new NpgsqlParameter { Value = day.ToDateOnly() });
        var sequence = (long)(await command.ExecuteScalarAsync(ct))!;
        return CaseNumber.Format(day, sequence);
    }

    /// <summary><paramref name="count"/> numbers of today in one statement: the sensor fold files many cases at once.</summary>
    public async Task<IReadOnlyList<string>> NextManyAsync(int count, CancellationToken ct)
    {
        if (count < 1) return [];
        var day = clock.GetCurrentInstant().InZone(zone).Date;
        await using var command = dataSource.CreateCommand(_nextMany);
        command.Parameters.Add(new NpgsqlParameter { Value = day.ToDateOnly() });
        command.Parameters.Add(new NpgsqlParameter { Value = (long)count });
        var last = (long)(await command.ExecuteScalarAsync(ct))!;
        return [.. Enumerable.Range(0, count).Select(i => CaseNumber.Format(day, last - count + 1 + i))];
    }
}

using System.Reflection;
using System.Text.Json;
using CityCase.Domain.Assessment;
using Marten;
using NodaTime;
using Npgsql;

namespace CityCase.Engine.Assessment;

/// <summary>
/// Sums a range of daily buckets per subject inside PostgreSQL, on the (kind, day) index, so a month of
/// a dimension comes back as one row per subject instead of every day's document.
/// </summary>
public sealed class ScoreBucketSums
{
    private static readonly PropertyInfo[] Counters = typeof(ScoreCounts).GetProperties()
        .Where(p => p.SetMethod is not null && (p.PropertyType == typeof(int) || p.PropertyType == typeof(long))).ToArray();

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _sql;

    public ScoreBucketSums(NpgsqlDataSource dataSource, IDocumentStore store)
    {
        _dataSource = dataSource;
        var table = store.Options.Schema.For<ScoreBucket>(); // the qualified table name
        var sums = string.Join(", ", Counters.Select(p => $"sum((data -> 'counts' ->> '{JsonNamingPolicy.CamelCase.ConvertName(p.Name)}')::bigint)"));
        // The filter repeats the index's expressions exactly, so the planner uses it.
        _sql = $"""
                select data ->> 'subject', {sums} from {table}
                where (data ->> 'kind') = $1 and ((data ->> 'dayNumber')::integer) between $2 and $3
                  and ($4::text is null or data ->> 'category' = $4)
                group by 1
                """;
    }

    public async Task<Dictionary<string, ScoreCounts>> SumAsync(BucketKind kind, LocalDate from, LocalDate to, string? category,
        CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(_sql);
        command.Parameters.Add(new NpgsqlParameter { Value = kind.ToString() });
        command.Parameters.Add(new NpgsqlParameter { Value = ScoreBucket.NumberOf(from) });
        command.Parameters.Add(new NpgsqlParameter { Value = ScoreBucket.NumberOf(to) });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)category ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var result = new Dictionary<string, ScoreCounts>();
        while (await reader.ReadAsync(ct))
        {
            object counts = new ScoreCounts();
            for (var i = 0; i < Counters.Length; i++)
            {
                var sum = reader.IsDBNull(i + 1) ? 0m : reader.GetDecimal(i + 1);
                Counters[i].SetValue(counts, Counters[i].PropertyType == typeof(int) ? (object)(int)sum : (long)sum);
            }
            result[reader.GetString(0)] = (ScoreCounts)counts;
        }
        return result;
    }
}

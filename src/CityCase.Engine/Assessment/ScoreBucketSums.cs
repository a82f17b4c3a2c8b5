using System.Reflection;
using System.Text.Json;
using CityCase.Domain.Assessment;
using Marten;
using NodaTime;
using Npgsql;

namespace CityCase.Engine.Assessment;

/// <summary>What the buckets add up to per subject, in the version of the scorecards the reads answer from.</summary>
public sealed record ScoreSums(int RulesVersion, Dictionary<string, ScoreCounts> BySubject);

/// <summary>
/// Sums a range of daily buckets per subject inside PostgreSQL, on the (kind, day) index, so a month of
/// a dimension comes back as one row per subject instead of every day's document. Only the active version's
/// buckets are summed; which one that is is read in the same statement, so every node answers alike.
/// </summary>
public sealed class ScoreBucketSums
{
    private static readonly PropertyInfo[] Counters = typeof(ScoreCounts).GetProperties()
        .Where(p => p.SetMethod is not null && (p.PropertyType == typeof(int) || p.PropertyType == typeof(long))).ToArray();

    private readonly NpgsqlDataSource _dataSource;
    private readonly int _ownVersion;
    private readonly string _perSubject;
    private readonly string _perDay;

    public ScoreBucketSums(NpgsqlDataSource dataSource, IDocumentStore store, ScorecardRulesInForce rules)
    {
        _dataSource = dataSource;
        _ownVersion = rules.Version;
        var table = store.Options.Schema.For<ScoreBucket>(); // the qualified table name
        var active = store.Options.Schema.For<ActiveScorecards>();
        var sums = string.Join(", ", Counters.Select(p => $"sum((data -> 'counts' ->> '{JsonNamingPolicy.CamelCase.ConvertName(p.Name)}')::bigint)"));
        // The filter repeats the index's expressions exactly, so the planner uses it. The lateral join answers one row
        // (with no key) even when no bucket matches, so the version is always known.
        string Sql(string key) => $"""
                select (a.data ->> 'version')::integer, b.* from {active} a left join lateral (
                  select {key}, {sums} from {table}
                  where tenant_id = a.data ->> 'tenantId'
                    and (data ->> 'kind') = $1 and ((data ->> 'dayNumber')::integer) between $2 and $3
                    and ($4::text is null or data ->> 'category' = $4)
                  group by 1) b on true
                where a.id = '{ActiveScorecards.TheId}'
                """;
        _perSubject = Sql("data ->> 'subject'");
        _perDay = Sql("data ->> 'dayNumber'");
    }

    public Task<ScoreSums> SumAsync(BucketKind kind, LocalDate from, LocalDate to, string? category, CancellationToken ct) =>
        SumAsync(_perSubject, kind, from, to, category, ct);

    /// <summary>The same range summed per day over every subject, keyed by <see cref="ScoreBucket.NumberOf"/> (days without buckets left out).</summary>
    public async Task<(int RulesVersion, Dictionary<int, ScoreCounts> ByDay)> SumPerDayAsync(BucketKind kind, LocalDate from, LocalDate to,
        CancellationToken ct)
    {
        var sums = await SumAsync(_perDay, kind, from, to, category: null, ct);
        return (sums.RulesVersion, sums.BySubject.ToDictionary(s => int.Parse(s.Key, System.Globalization.CultureInfo.InvariantCulture), s => s.Value));
    }

    private async Task<ScoreSums> SumAsync(string sql, BucketKind kind, LocalDate from, LocalDate to, string? category, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = kind.ToString() });
        command.Parameters.Add(new NpgsqlParameter { Value = ScoreBucket.NumberOf(from) });
        command.Parameters.Add(new NpgsqlParameter { Value = ScoreBucket.NumberOf(to) });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)category ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var result = new Dictionary<string, ScoreCounts>();
        var version = _ownVersion; // no pointer yet: only before this node's start-up has recorded one
        while (await reader.ReadAsync(ct))
        {
            version = reader.GetInt32(0);
            if (reader.IsDBNull(1)) continue;
            object counts = new ScoreCounts();
            for (var i = 0; i < Counters.Length; i++)
            {
                var sum = reader.IsDBNull(i + 2) ? 0m : reader.GetDecimal(i + 2);
                Counters[i].SetValue(counts, Counters[i].PropertyType == typeof(int) ? (object)(int)sum : (long)sum);
            }
            result[reader.GetString(1)] = (ScoreCounts)counts;
        }
        return new ScoreSums(version, result);
    }
}

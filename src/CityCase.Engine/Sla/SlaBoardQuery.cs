using CityCase.Domain.Time;
using CityCase.Engine.Cases;
using Marten;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace CityCase.Engine.Sla;

/// <summary>One page of the board: the counts per light over every case, and the page's cases in board order.</summary>
public sealed record SlaBoardPage(int Green, int Yellow, int Red, IReadOnlyList<SlaBoardRow> Rows, bool HasNextPage);

/// <summary>A case on the board: its worst light now and its soonest deadline (the board's order), with its position.</summary>
public sealed record SlaBoardRow(Guid CaseId, Light Light, long DueAtMs)
{
    /// <summary>Where the row stands in the board's order: red first, then yellow, then green; soonest due first.</summary>
    public string Position => $"{(int)Light}|{DueAtMs}|{CaseId}";

    /// <summary>The rows after <paramref name="position"/>; null when it is not a board position.</summary>
    public static (int Light, long DueAtMs, Guid CaseId)? Parse(string position) =>
        position.Split('|') is [var l, var d, var i] && int.TryParse(l, out var light) && light is >= 0 and <= 2
        && long.TryParse(d, out var due) && Guid.TryParse(i, out var id)
            ? (light, due, id)
            : null;
}

/// <summary>
/// The SLA board counted and paged inside PostgreSQL, from the open cases' timers (one per running clock, with its
/// yellow and due instants and the light recorded so far), so that a department's board costs one indexed query
/// and one page of case views, however many cases it has.
/// </summary>
public sealed class SlaBoardQuery
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _allDepartments, _oneDepartment;

    public SlaBoardQuery(NpgsqlDataSource dataSource, IDocumentStore store)
    {
        _dataSource = dataSource;
        var views = store.Options.Schema.For<CaseView>();
        var timers = store.Options.Schema.For<SlaTimer>();
        // A clock's light now is SlaLights.LightAt's rule (yellow from YellowAt on, red strictly after the deadline), never
        // below the light already recorded, and the recorded one while the case is suspended (as SlaNow shows it).
        // A suspended case's timers are paused (SlaTimer.Paused) and the timekeeper skips them, but they stay on the board:
        // the case is open and owes its deadline. The pause is read from the view here, as SlaNow reads it for the rows.
        // The filters repeat the indexes' expressions exactly, so the planner uses them.
        string Board(string where) => $"""
                with board as (
                  select v.id,
                         max(case when (v.data ->> 'suspended')::boolean then r.recorded
                                  else greatest(r.recorded, case when (t.data ->> 'deadlineMs')::bigint < $1 then 2
                                                                 when (t.data ->> 'yellowAtMs')::bigint <= $1 then 1 else 0 end) end) as light,
                         min((t.data ->> 'deadlineMs')::bigint) as due
                  from {views} v
                  join {timers} t on CAST(t.data ->> 'caseId' as uuid) = v.id
                  cross join lateral (select case t.data ->> 'recorded' when 'Red' then 2 when 'Yellow' then 1 else 0 end as recorded) r
                  where {where}
                  group by v.id)
                select null::uuid, light, null::bigint, count(*) from board group by light
                union all
                (select id, light, due, null from board
                 where light < $3 or (light = $3 and (due > $4 or (due = $4 and id > $5)))
                 order by light desc, due, id limit $6)
                """;
        // One statement per scope, so that a department's board is a range scan of its open cases (the index on
        // department, open and queue key) and not a plan for both with an OR the planner cannot use an index for.
        _allDepartments = Board("(v.data ->> 'isOpen')::boolean = true");
        _oneDepartment = Board("(v.data ->> 'departmentCode') = $2 and (v.data ->> 'isOpen')::boolean = true");
    }

    public async Task<SlaBoardPage> PageAsync(Instant now, string? departmentCode, int first, string? after, CancellationToken ct)
    {
        var from = after is null ? (Light: 3, DueAtMs: 0L, CaseId: Guid.Empty)
            : SlaBoardRow.Parse(after) ?? throw new ArgumentException($"'{after}' is not a position on the board", nameof(after));
        await using var command = _dataSource.CreateCommand(departmentCode is null ? _allDepartments : _oneDepartment);
        command.Parameters.Add(new NpgsqlParameter { Value = now.ToUnixTimeMilliseconds() });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)departmentCode ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = from.Light });
        command.Parameters.Add(new NpgsqlParameter { Value = from.DueAtMs });
        command.Parameters.Add(new NpgsqlParameter { Value = from.CaseId });
        command.Parameters.Add(new NpgsqlParameter { Value = first + 1 });
        var counts = new int[3];
        var rows = new List<SlaBoardRow>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                if (reader.IsDBNull(0)) counts[reader.GetInt32(1)] = (int)reader.GetInt64(3);
                else rows.Add(new SlaBoardRow(reader.GetGuid(0), (Light)reader.GetInt32(1), reader.GetInt64(2)));
            }
        // The page's rows in the query's order (a union keeps no order): PostgreSQL orders uuids as their text, ordinally.
        var ordered = rows.OrderByDescending(r => r.Light).ThenBy(r => r.DueAtMs).ThenBy(r => r.CaseId.ToString(), StringComparer.Ordinal).ToList();
        return new SlaBoardPage(counts[0], counts[1], counts[2], ordered.Take(first).ToList(), ordered.Count > first);
    }
}

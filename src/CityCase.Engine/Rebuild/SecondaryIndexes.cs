using Marten;
using Npgsql;

namespace CityCase.Engine.Rebuild;

/// <summary>
/// Drops and re-creates the secondary indexes of read-model tables around a full rebuild: PostgreSQL builds an index
/// over a loaded table by one sort, far cheaper than maintaining it row by row through the load. The definitions
/// are taken from the database itself (<c>pg_indexes</c>), so what comes back is exactly what was there.
/// </summary>
internal static class SecondaryIndexes
{
    public static async Task<IReadOnlyList<string>> DropAsync(IDocumentStore store, IEnumerable<Type> documents, CancellationToken ct)
    {
        var tables = documents.Select(d => store.Options.FindOrResolveDocumentType(d).TableName).ToList();
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var definitions = new List<(string Name, string Definition)>();
        await using (var find = new NpgsqlCommand(
                         """
                         select i.schemaname || '.' || i.indexname, i.indexdef from pg_indexes i
                         join pg_class c on c.relname = i.indexname
                         join pg_index x on x.indexrelid = c.oid and not x.indisprimary
                         where i.schemaname = any(@schemas) and i.tablename = any(@tables)
                         """, connection))
        {
            find.Parameters.AddWithValue("schemas", tables.Select(t => t.Schema).Distinct().ToArray());
            find.Parameters.AddWithValue("tables", tables.Select(t => t.Name).ToArray());
            await using var reader = await find.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) definitions.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (name, _) in definitions)
            await new NpgsqlCommand($"drop index if exists {name}", connection).ExecuteNonQueryAsync(ct);
        return definitions.Select(d => d.Definition).ToList();
    }

    public static async Task CreateAsync(IDocumentStore store, IReadOnlyList<string> definitions, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        foreach (var definition in definitions)
            await new NpgsqlCommand(definition, connection).ExecuteNonQueryAsync(ct);
    }
}

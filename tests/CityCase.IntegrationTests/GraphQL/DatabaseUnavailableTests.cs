using CityCase.Api.GraphQL;
using CityCase.IntegrationTests.Infrastructure;
using Npgsql;

namespace CityCase.IntegrationTests.GraphQL;

/// <summary>
/// What a client is told when the database goes away under a request: SERVICE_UNAVAILABLE (retry) for every way Npgsql
/// reports it, found by breaking real connections; any other database error stays what it is.
/// </summary>
public sealed class DatabaseUnavailableTests
{
    [Fact]
    public async Task A_connection_whose_backend_was_terminated_reports_unavailable_at_its_next_uses()
    {
        var database = await TestPostgres.CreateDatabaseAsync("unavailable");
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await Terminate(database, connection.ProcessID);

        // The first use learns of the break (57P01 or the closed socket); the next ones find the connection broken.
        var seen = new List<Exception>
        {
            await Record(() => new NpgsqlCommand("select 1", connection, transaction).ExecuteScalarAsync()),
            await Record(() => new NpgsqlCommand("select 1", connection, transaction).ExecuteScalarAsync()),
            await Record(() => transaction.CommitAsync()),
            await Record(() => connection.BeginTransactionAsync().AsTask()),
        };
        Assert.All(seen, e => Assert.True(GraphQLErrors.IsDatabaseUnavailable(e), $"{e.GetType().Name} from {e.Source}: {e.Message}"));
        Assert.Contains(seen, e => e is InvalidOperationException); // npgsql#5605: not an NpgsqlException
    }

    [Fact]
    public async Task A_refused_command_or_another_error_is_not_unavailability()
    {
        var database = await TestPostgres.CreateDatabaseAsync("unavailable");
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        var duplicate = await Record(() => new NpgsqlCommand("create table t (id int primary key); insert into t values (1), (1)", connection).ExecuteNonQueryAsync());
        Assert.IsType<PostgresException>(duplicate);
        Assert.False(GraphQLErrors.IsDatabaseUnavailable(duplicate));

        // The same words from anything but Npgsql are a program's mistake. (Npgsql's own "Connection is not open" cannot tell
        // a broken connection from one never opened; CityCase opens none by hand where a request could see it.)
        Assert.False(GraphQLErrors.IsDatabaseUnavailable(new InvalidOperationException("Connection is not open")));
        Assert.False(GraphQLErrors.IsDatabaseUnavailable(new InvalidOperationException("Sequence contains no elements")));
    }

    private static async Task Terminate(string database, int pid)
    {
        await using var admin = new NpgsqlConnection(database);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand($"select pg_terminate_backend({pid})", admin);
        await command.ExecuteScalarAsync();
    }

    private static async Task<Exception> Record(Func<Task> use)
    {
        try { await use(); }
        catch (Exception e) { return e; }
        throw new Xunit.Sdk.XunitException("the operation did not fail");
    }
}

using CityCase.Domain;
using GraphQL;
using GraphQL.Execution;
using JasperFx;
using JasperFx.Events;

namespace CityCase.Api.GraphQL;

/// <summary>Turns what resolvers throw into GraphQL errors with a stable <c>extensions.code</c>.</summary>
public static class GraphQLErrors
{
    public const string InternalError = "INTERNAL_SERVER_ERROR";

    public const string DatabaseUnavailableMessage =
        "The database is unavailable at the moment (it may be restarting); retry shortly.";

    /// <summary>How clients call a command: <c>SignCase</c> is the <c>signCase</c> mutation.</summary>
    public static string OperationName(Type command) => char.ToLowerInvariant(command.Name[0]) + command.Name[1..];

    public static Task Translate(UnhandledExceptionContext context)
    {
        var error = context.OriginalException switch
        {
            var e when IsDatabaseUnavailable(e) =>
                new ExecutionError(DatabaseUnavailableMessage) { Code = ErrorCodes.ServiceUnavailable },
            InvalidTransitionException e => new ExecutionError(e.Describe(OperationName, s => s.ToString().ToConstantCase())) { Code = e.Code },
            DomainException e => new ExecutionError(e.Message) { Code = e.Code },
            GraphQLParser.Exceptions.GraphQLMaxDepthExceededException => new ExecutionError(
                $"The query is nested too deeply to parse (at most {RequestLimits.MaxParserDepth} levels of syntax).") { Code = "QUERY_TOO_DEEP" },
            ConcurrencyException or EventStreamUnexpectedMaxEventIdException or ExistingStreamIdCollisionException =>
                new ExecutionError("The case was changed by someone else in the meantime; reload it and try again.")
                    { Code = ErrorCodes.ConcurrencyConflict },
            _ => null,
        };
        var logger = context.ExecutionOptions.RequestServices?.GetService<ILoggerFactory>()?.CreateLogger("CityCase.GraphQL");
        if (error is not null)
        {
            context.Exception = error;
            context.ErrorMessage = error.Message;
            if (error.Code == ErrorCodes.ServiceUnavailable)
                logger?.LogWarning("GraphQL field {Field} failed: the database is unavailable ({Reason})",
                        context.FieldContext?.FieldDefinition.Name, Innermost(context.OriginalException).Message);
        }
        else
        {
            context.Exception = new ExecutionError("An unexpected error occurred; it has been logged.") { Code = InternalError };
            context.ErrorMessage = context.Exception.Message;
            logger?.LogError(context.OriginalException, "Unhandled error in GraphQL field {Field}",
                context.FieldContext?.FieldDefinition.Name);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Whether <paramref name="exception"/>, or anything it wraps (Marten's and Wolverine's wrappers, aggregates),
    /// says the database cannot be reached now: a connection refused or broken (socket, I/O), a timeout (opening a
    /// connection, waiting for the pool), or the server refusing work because it is shutting down, crashed or still
    /// recovering (SQLSTATE class 08, 57P01-57P03, 53300 too many connections), or a connection or transaction that such a
    /// break left unusable. A client can retry these as they are.
    /// </summary>
    public static bool IsDatabaseUnavailable(Exception exception)
    {
        var pending = new Stack<(Exception Exception, int Depth)>([(exception, 0)]);
        while (pending.TryPop(out var item))
        {
            var (e, depth) = item;
            if (depth > 16) continue;
            switch (e)
            {
                case Npgsql.PostgresException postgres:
                    if (postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is "57P01" or "57P02" or "57P03" or "53300")
                        return true;
                    continue; // any other error the server raised is about the command, not its availability
                case System.Net.Sockets.SocketException or TimeoutException:
                    return true;
                case IOException when depth > 0 && HasNpgsqlAbove(exception, e):
                    return true;
                case InvalidOperationException when IsLeftBrokenByNpgsql(e):
                    return true;
                case AggregateException aggregate:
                    foreach (var inner in aggregate.InnerExceptions) pending.Push((inner, depth + 1));
                    continue;
            }
            if (e.InnerException is { } wrapped) pending.Push((wrapped, depth + 1));
        }
        return false;
    }

    /// <summary>
    /// Npgsql answers the next use of a connection that has just broken, or of its transaction, with these and not with an
    /// NpgsqlException (npgsql#5605): a request that was sharing the connection when the database went away sees them.
    /// </summary>
    private static bool IsLeftBrokenByNpgsql(Exception e) =>
        e.Source == "Npgsql" && BrokenConnectionMessages.Any(m => e.Message.Contains(m, StringComparison.Ordinal));

    private static readonly string[] BrokenConnectionMessages =
        ["Connection is not open", "Transaction is already completed", "This NpgsqlTransaction has completed"];

    /// <summary>Whether an NpgsqlException wraps <paramref name="target"/>: an I/O error of a database connection.</summary>
    private static bool HasNpgsqlAbove(Exception root, Exception target)
    {
        for (var e = root; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.NpgsqlException && Chain(e).Contains(target)) return true;
            if (e is AggregateException aggregate)
                return aggregate.InnerExceptions.Any(inner => HasNpgsqlAbove(inner, target));
        }
        return false;

        static IEnumerable<Exception> Chain(Exception e)
        {
            for (var x = e.InnerException; x is not null; x = x.InnerException) yield return x;
        }
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}

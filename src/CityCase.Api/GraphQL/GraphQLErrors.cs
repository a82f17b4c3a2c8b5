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

    /// <summary>How clients call a command: <c>SignCase</c> is the <c>signCase</c> mutation.</summary>
    public static string OperationName(Type command) => char.ToLowerInvariant(command.Name[0]) + command.Name[1..];

    public static Task Translate(UnhandledExceptionContext context)
    {
        var error = context.OriginalException switch
        {
            InvalidTransitionException e => new ExecutionError(e.Describe(OperationName, s => s.ToString().ToConstantCase())) { Code = e.Code },
            DomainException e => new ExecutionError(e.Message) { Code = e.Code },
            ConcurrencyException or EventStreamUnexpectedMaxEventIdException or ExistingStreamIdCollisionException =>
                new ExecutionError("The case was changed by someone else in the meantime; reload it and try again.")
                    { Code = ErrorCodes.ConcurrencyConflict },
            _ => null,
        };
        if (error is not null)
        {
            context.Exception = error;
            context.ErrorMessage = error.Message;
        }
        else
        {
            context.Exception = new ExecutionError("An unexpected error occurred; it has been logged.") { Code = InternalError };
            context.ErrorMessage = context.Exception.Message;
            var logger = context.ExecutionOptions.RequestServices?.GetService<ILoggerFactory>()?.CreateLogger("CityCase.GraphQL");
            logger?.LogError(context.OriginalException, "Unhandled error in GraphQL field {Field}",
                context.FieldContext?.FieldDefinition.Name);
        }
        return Task.CompletedTask;
    }
}

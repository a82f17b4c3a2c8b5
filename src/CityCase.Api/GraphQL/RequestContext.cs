using CityCase.Api.Auth;
using CityCase.Domain;
using CityCase.Engine.Observability;
using GraphQL;
using Wolverine;

namespace CityCase.Api.GraphQL;

/// <summary>Per-request values the transports hand to resolvers.</summary>
public sealed class GraphQLUserContext : Dictionary<string, object?>
{
    /// <summary>Why the bearer token was refused, when one was sent and refused.</summary>
    public string? AuthenticationFailure { get; init; }

    /// <summary>Ties the events a request appends together in the history (Marten's correlation id).</summary>
    public string? CorrelationId { get; init; }
}

public static class ResolveFieldContextExtensions
{
    /// <summary>
    /// Sends the field's command through Wolverine, with the request's correlation id for the events its handlers append,
    /// and times it by the field's name (<see cref="CityCaseMetrics.CommandDuration"/>).
    /// </summary>
    public static Task<T> InvokeCommandAsync<T>(this IResolveFieldContext context, object command) =>
        CityCaseMetrics.TimeCommandAsync(context.FieldDefinition.Name, () => context.Bus().InvokeAsync<T>(command, context.CancellationToken));

    /// <inheritdoc cref="InvokeCommandAsync{T}"/>
    public static Task InvokeCommandAsync(this IResolveFieldContext context, object command) =>
        CityCaseMetrics.TimeCommandAsync(context.FieldDefinition.Name, async () =>
        {
            await context.Bus().InvokeAsync(command, context.CancellationToken);
            return true;
        });

    private static IMessageBus Bus(this IResolveFieldContext context)
    {
        var bus = context.Service<IMessageContext>();
        if ((context.UserContext as GraphQLUserContext)?.CorrelationId is { } correlationId) bus.CorrelationId = correlationId;
        return bus;
    }

    public static T Service<T>(this IResolveFieldContext context) where T : notnull =>
        context.RequestServices!.GetRequiredService<T>();

    /// <summary>
    /// The acting user; throws UNAUTHENTICATED without a valid token. Which roles may use an operation is the
    /// access policy's business (Access/AccessPolicy.cs), checked before anything runs.
    /// </summary>
    public static Actor RequireActor(this IResolveFieldContext context)
    {
        var actor = context.User.ToActor();
        if (actor is null)
        {
            var why = (context.UserContext as GraphQLUserContext)?.AuthenticationFailure;
            throw new DomainException(ErrorCodes.Unauthenticated, why is null
                ? "Sign in first: send 'Authorization: Bearer <token>'."
                : $"The bearer token was refused: {why}.");
        }
        return actor;
    }
}

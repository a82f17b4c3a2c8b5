using CityCase.Api.Auth;
using CityCase.Domain;
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
    /// <summary>The message bus, with the request's correlation id for the events its handlers append.</summary>
    public static IMessageBus Bus(this IResolveFieldContext context)
    {
        var bus = context.Service<IMessageContext>();
        if ((context.UserContext as GraphQLUserContext)?.CorrelationId is { } correlationId) bus.CorrelationId = correlationId;
        return bus;
    }

    public static T Service<T>(this IResolveFieldContext context) where T : notnull =>
        context.RequestServices!.GetRequiredService<T>();

    /// <summary>
    /// The acting user, who must hold one of <paramref name="roles"/> (or be an admin).
    /// Throws UNAUTHENTICATED without a valid token and FORBIDDEN for another role.
    /// </summary>
    public static Actor RequireActor(this IResolveFieldContext context, params string[] roles)
    {
        var actor = context.User.ToActor();
        if (actor is null)
        {
            var why = (context.UserContext as GraphQLUserContext)?.AuthenticationFailure;
            throw new DomainException(ErrorCodes.Unauthenticated, why is null
                ? "Sign in first: send 'Authorization: Bearer <token>'."
                : $"The bearer token was refused: {why}.");
        }
        if (roles.Length > 0 && actor.Role != Roles.Admin && !roles.Contains(actor.Role))
            throw new DomainException(ErrorCodes.Forbidden,
                $"'{context.FieldDefinition.Name}' is for the role(s) {string.Join(", ", roles)}; you are signed in as '{actor.Role}'.");
        return actor;
    }
}

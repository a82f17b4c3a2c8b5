using CityCase.Api.Auth;
using CityCase.Domain;
using GraphQL;

namespace CityCase.Api.GraphQL;

/// <summary>Per-request values the transports hand to resolvers.</summary>
public sealed class GraphQLUserContext : Dictionary<string, object?>
{
    /// <summary>Why the bearer token was refused, when one was sent and refused.</summary>
    public string? AuthenticationFailure { get; init; }
}

public static class ResolveFieldContextExtensions
{
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

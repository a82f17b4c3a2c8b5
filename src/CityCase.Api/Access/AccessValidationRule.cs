using CityCase.Api.Auth;
using CityCase.Api.GraphQL;
using GraphQL.Validation;
using GraphQLParser.AST;

namespace CityCase.Api.Access;

/// <summary>
/// Enforces <see cref="AccessPolicy.Operations"/> before anything runs, for HTTP and WebSocket alike: every
/// query, mutation and subscription a document selects must be allowed to the caller's role, or the whole request
/// is refused (UNAUTHENTICATED or FORBIDDEN) and nothing executes. Scopes and disclosure are the resolvers' part.
/// </summary>
public sealed class AccessValidationRule : ValidationRuleBase
{
    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context) =>
        new(new MatchingNodeVisitor<GraphQLField>((node, ctx) =>
        {
            if (ctx.TypeInfo.GetParentType() is not { } parent || ctx.TypeInfo.GetFieldDef() is not { } field) return;
            if (parent.Name is not ("Query" or "Mutation" or "Subscription") || field.Name.StartsWith("__")) return;
            var refusal = AccessPolicy.Refusal($"{parent.Name}.{field.Name}", ctx.User.ToActor(),
                (ctx.UserContext as GraphQLUserContext)?.AuthenticationFailure);
            if (refusal is not null)
                ctx.ReportError(new ValidationError(ctx.Document.Source, null, refusal.Message, node) { Code = refusal.Code });
        }));
}

using CityCase.Engine.Observability;
using System.Text;
using System.Text.Json;
using CityCase.Api.Auth;
using GraphQL;
using GraphQL.Transport;
using GraphQL.Types;
using GraphQLParser;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;

namespace CityCase.Api.GraphQL;

/// <summary>
/// GraphQL over HTTP (the GraphQL-over-HTTP spec) on plain ASP.NET Core: POST with a JSON body, and GET
/// for queries only. The GraphQL.Server hosting packages are not served here, so this is ours: small
/// on purpose, with the execution itself left to GraphQL.NET.
/// </summary>
public static class GraphQLHttpEndpoint
{
    public const string GraphQLResponseMediaType = "application/graphql-response+json";
    private const string JsonMediaType = "application/json";

    public static IEndpointRouteBuilder MapGraphQLHttp(this IEndpointRouteBuilder app, string path = "/graphql")
    {
        app.MapPost(path, HandlePost).RequireRateLimiting(RequestLimits.RateLimitPolicy);
        app.MapGet(path, HandleGet).RequireRateLimiting(RequestLimits.RateLimitPolicy);
        return app;
    }

    private static async Task HandlePost(HttpContext http, IGraphQLTextSerializer serializer)
    {
        if (http.Request.ContentType is not { } contentType ||
            !contentType.StartsWith(JsonMediaType, StringComparison.OrdinalIgnoreCase))
        {
            await WriteRequestError(http, serializer, StatusCodes.Status415UnsupportedMediaType,
                "POST /graphql takes a JSON body: set 'Content-Type: application/json'.");
            return;
        }

        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = RequestLimits.MaxBodyBytes;
        GraphQLRequest? request;
        try
        {
            request = await serializer.ReadAsync<GraphQLRequest>(http.Request.Body, http.RequestAborted);
        }
        catch (BadHttpRequestException e)
        {
            await WriteRequestError(http, serializer, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"The request body is larger than {RequestLimits.MaxBodyBytes / 1024} KiB."
                : $"The request body could not be read: {e.Message}", e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "REQUEST_TOO_LARGE" : "INVALID_REQUEST");
            return;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or DecoderFallbackException)
        {
            await WriteRequestError(http, serializer, StatusCodes.Status400BadRequest,
                $"The request body is not a GraphQL request in JSON: {e.Message}");
            return;
        }
        await Execute(http, serializer, request, allowMutations: true);
    }

    private static async Task HandleGet(HttpContext http, IGraphQLTextSerializer serializer)
    {
        if (http.WebSockets.IsWebSocketRequest)
        {
            await GraphQLWebSocketSession.Accept(http, serializer);
            return;
        }
        Inputs? variables = null;
        if (http.Request.Query.TryGetValue("variables", out var variablesText) && !string.IsNullOrEmpty(variablesText))
        {
            try
            {
                variables = serializer.Deserialize<Inputs>(variablesText.ToString());
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                await WriteRequestError(http, serializer, StatusCodes.Status400BadRequest,
                    $"The 'variables' parameter is not a JSON object: {e.Message}");
                return;
            }
        }
        var request = new GraphQLRequest
        {
            Query = http.Request.Query["query"].ToString(),
            OperationName = http.Request.Query["operationName"].ToString() is { Length: > 0 } name ? name : null,
            Variables = variables,
        };
        await Execute(http, serializer, request, allowMutations: false);
    }

    private static async Task Execute(HttpContext http, IGraphQLTextSerializer serializer, GraphQLRequest? request,
        bool allowMutations)
    {
        if (string.IsNullOrWhiteSpace(request?.Query))
        {
            await WriteRequestError(http, serializer, StatusCodes.Status400BadRequest,
                "The request has no 'query': send {\"query\": \"...\", \"variables\": {...}}.");
            return;
        }
        if (!allowMutations && IsMutation(request.Query, request.OperationName))
        {
            http.Response.Headers.Allow = "POST";
            await WriteRequestError(http, serializer, StatusCodes.Status405MethodNotAllowed,
                "Mutations are not allowed over GET; use POST.");
            return;
        }

        var result = await Execute(http, request, http.User, new GraphQLUserContext
        {
            AuthenticationFailure = http.Items[JwtAuthentication.FailureItem] as string,
            CorrelationId = CorrelationIdOf(http),
        });

        var graphQLResponse = AcceptsGraphQLResponse(http.Request);
        http.Response.ContentType = graphQLResponse ? GraphQLResponseMediaType : JsonMediaType;
        // Per the spec, the new media type signals a request error (no data at all) with 400; JSON stays 200.
        http.Response.StatusCode = graphQLResponse && !result.Executed
            ? StatusCodes.Status400BadRequest
            : StatusCodes.Status200OK;
        await serializer.WriteAsync(http.Response.Body, result, http.RequestAborted);
    }

    public const string CorrelationHeader = "X-Correlation-Id";

    /// <summary>
    /// The caller's <c>X-Correlation-Id</c> (a call-centre system's call id, say) when it is a short
    /// printable token; otherwise the request's own trace identifier.
    /// </summary>
    internal static string CorrelationIdOf(HttpContext http)
    {
        var given = http.Request.Headers[CorrelationHeader].ToString();
        return given.Length is > 0 and <= 128 && given.All(c => c is > ' ' and < '\u007f') ? given : http.TraceIdentifier;
    }

    /// <summary>Runs one GraphQL request for a user; both transports (HTTP and WebSocket) go through here.</summary>
    internal static async Task<ExecutionResult> Execute(HttpContext http, GraphQLRequest? request,
        System.Security.Claims.ClaimsPrincipal? user, GraphQLUserContext userContext)
    {
        // A span per operation, named as OpenTelemetry's GraphQL conventions say ("mutation dispatchCase"), under the
        // HTTP request's span and above the handler's and the database's; tagged with codes only, never variables.
        using var activity = CityCaseMetrics.Activities.StartActivity("graphql");
        var result = await http.RequestServices.GetRequiredService<IDocumentExecuter<ISchema>>().ExecuteAsync(new ExecutionOptions
        {
            Query = request?.Query,
            OperationName = request?.OperationName,
            Variables = request?.Variables,
            Extensions = request?.Extensions,
            RequestServices = http.RequestServices,
            User = user,
            UserContext = userContext,
            CancellationToken = http.RequestAborted,
        });
        var type = result.Operation?.Operation.ToString().ToLowerInvariant() ?? "unknown";
        var name = result.Operation?.Name?.StringValue ?? request?.OperationName ?? "anonymous";
        var outcome = result.Errors is { Count: > 0 } errors ? errors[0].Code ?? "ERROR" : "OK";
        if (activity is not null)
        {
            activity.DisplayName = $"{type} {name}";
            activity.SetTag("graphql.operation.type", type);
            activity.SetTag("graphql.operation.name", name);
            activity.SetTag("citycase.outcome", outcome);
            if (outcome != "OK") activity.SetStatus(System.Diagnostics.ActivityStatusCode.Error, outcome);
        }
        CityCaseMetrics.GraphQLRequests.Add(1, new("operation", name), new("type", type), new("outcome", outcome));
        return result;
    }

    private static bool IsMutation(string query, string? operationName)
    {
        try
        {
            var document = Parser.Parse(query);
            return document.Definitions.OfType<GraphQLOperationDefinition>()
                .Where(o => operationName is null || o.Name?.StringValue == operationName)
                .Any(o => o.Operation != OperationType.Query);
        }
        catch (GraphQLParserException)
        {
            return false; // the executer reports the syntax error properly
        }
    }

    private static bool AcceptsGraphQLResponse(HttpRequest request) =>
        request.Headers.Accept.Any(a => a?.Contains(GraphQLResponseMediaType, StringComparison.OrdinalIgnoreCase) == true);

    private static async Task WriteRequestError(HttpContext http, IGraphQLTextSerializer serializer, int status,
        string message, string code = "INVALID_REQUEST")
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = AcceptsGraphQLResponse(http.Request) ? GraphQLResponseMediaType : JsonMediaType;
        var result = new ExecutionResult { Errors = [new ExecutionError(message) { Code = code }] };
        await serializer.WriteAsync(http.Response.Body, result, http.RequestAborted);
    }
}

using System.Threading.RateLimiting;
using CityCase.Api.Auth;
using CityCase.Domain;
using GraphQL;
using GraphQL.Instrumentation;
using GraphQL.Validation;
using GraphQL.Validation.Complexity;
using GraphQL.Validation.Rules.Custom;
using GraphQLParser.AST;
using Microsoft.AspNetCore.RateLimiting;

namespace CityCase.Api.GraphQL;

/// <summary>
/// What one request may ask of the server, so that no request can exhaust it: the body's size, the query's depth,
/// complexity and number of fields, every text argument's characters and length, and a rate per device and per
/// anonymous caller. Each limit answers with a code and a message that names it; nothing is appended.
/// </summary>
public static class RequestLimits
{
    public const long MaxBodyBytes = 256 * 1024;
    public const int MaxDepth = 15;           // the full introspection query is 13 deep
    public const int MaxComplexity = 20_000;  // introspection counts 0 (CityCaseSchema)
    public const int MaxFields = 300;         // field selections written in the document, aliases included
    public const int MaxMutations = 10;       // 500 aliased reportComplaint would file 500 cases
    public const int MaxParserDepth = 64;     // syntax nesting, before validation even starts
    public const int MaxTextLength = 10_000;  // any one string argument; fields have tighter limits of their own
    public const string RateLimitPolicy = "graphql";
    public const string ExportPolicy = "exports";

    /// <summary>
    /// Rates per device and per anonymous caller (<c>RateLimits:Device|Anonymous:PermitsPerMinute</c>) and exports running
    /// at once on a node (<c>RateLimits:Exports:AtOnce</c>), answered with 429 and Retry-After.
    /// </summary>
    public static IServiceCollection AddRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var devicePerMinute = configuration.GetValue("RateLimits:Device:PermitsPerMinute", 600);
        var anonymousPerMinute = configuration.GetValue("RateLimits:Anonymous:PermitsPerMinute", 120);
        var exportsAtOnce = configuration.GetValue("RateLimits:Exports:AtOnce", 2);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (rejected, ct) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? (int)Math.Ceiling(after.TotalSeconds) : 60;
                rejected.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString();
                rejected.HttpContext.Response.ContentType = "application/json";
                await rejected.HttpContext.Response.WriteAsJsonAsync(new
                {
                    errors = new[] { new { message = $"Too many requests; retry after {retryAfter} s.", extensions = new { code = "RATE_LIMITED" } } },
                }, ct);
            };
            // Devices (per device) and anonymous callers (per address) are limited; signed-in staff are not.
            o.AddPolicy(RateLimitPolicy, http => http.User.ToActor() switch
            {
                null => RateLimitPartition.GetFixedWindowLimiter("anonymous:" + http.Connection.RemoteIpAddress,
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = anonymousPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }),
                { Role: Roles.Device } device => RateLimitPartition.GetFixedWindowLimiter("device:" + device.UserId,
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = devicePerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }),
                var actor => RateLimitPartition.GetNoLimiter("user:" + actor.UserId),
            });
            // An export reads every case it covers: a few at a time on a node, whoever asks, so reads and commands keep the CPU.
            o.AddPolicy(ExportPolicy, _ => RateLimitPartition.GetConcurrencyLimiter("exports",
                _ => new ConcurrencyLimiterOptions { PermitLimit = exportsAtOnce, QueueLimit = 0 }));
        });
        return services;
    }
}

/// <summary>Depth and complexity, with codes of our own; checked once per document (the document cache keeps only those that passed).</summary>
public sealed class QueryCostRule() : ComplexityValidationRule(new ComplexityOptions
{
    MaxDepth = RequestLimits.MaxDepth, MaxComplexity = RequestLimits.MaxComplexity,
})
{
    protected override ValueTask ValidateComplexityAsync(ValidationContext context, double totalImpact, int maxDepth)
    {
        if (maxDepth > RequestLimits.MaxDepth)
            context.ReportError(new ValidationError($"The query is nested {maxDepth} levels deep; the limit is {RequestLimits.MaxDepth}.")
                { Code = "QUERY_TOO_DEEP" });
        else if (totalImpact > RequestLimits.MaxComplexity)
            context.ReportError(new ValidationError($"The query's complexity is {totalImpact:0}; the limit is {RequestLimits.MaxComplexity}.")
                { Code = "QUERY_TOO_COMPLEX" });
        return default;
    }
}

/// <summary>At most <see cref="RequestLimits.MaxFields"/> field selections in a document (5,000 aliased look-ups are refused).</summary>
public sealed class FieldCountRule : ValidationRuleBase
{
    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context)
    {
        var (count, mutations) = (0, 0);
        return new(new MatchingNodeVisitor<GraphQLField>((field, ctx) =>
        {
            if (++count == RequestLimits.MaxFields + 1)
                ctx.ReportError(new ValidationError(ctx.Document.Source, null,
                    $"The document selects more than {RequestLimits.MaxFields} fields (aliases count); split it.", field) { Code = "QUERY_TOO_LARGE" });
            if (ctx.TypeInfo.GetParentType()?.Name == "Mutation" && ++mutations == RequestLimits.MaxMutations + 1)
                ctx.ReportError(new ValidationError(ctx.Document.Source, null,
                    $"A request may carry at most {RequestLimits.MaxMutations} mutations; send one request per change.", field) { Code = "QUERY_TOO_LARGE" });
        }));
    }
}

/// <summary>
/// Every text argument, however deep in an input, is checked before a resolver sees it: no NUL or other control
/// characters (tabs and line breaks are fine), at most <see cref="RequestLimits.MaxTextLength"/> characters.
/// </summary>
public sealed class ArgumentTextMiddleware : IFieldMiddleware
{
    public ValueTask<object?> ResolveAsync(IResolveFieldContext context, FieldMiddlewareDelegate next)
    {
        if (context.Arguments is { } arguments)
            foreach (var (name, value) in arguments)
                Check(value.Value, name);
        return next(context);
    }

    private static void Check(object? value, string path, int depth = 0)
    {
        if (depth > 8) return; // inputs are shallow; GraphQL's own depth limit holds the rest
        switch (value)
        {
            case string text:
                if (text.Length > RequestLimits.MaxTextLength)
                    throw new ValidationFailedException($"{path} is {text.Length} characters long; at most {RequestLimits.MaxTextLength} are accepted");
                var bad = text.IndexOfAny(ControlCharacters);
                if (bad >= 0)
                    throw new ValidationFailedException($"{path} contains the control character U+{(int)text[bad]:X4} at position {bad}; remove it");
                break;
            case IDictionary<string, object?> input:
                foreach (var (name, item) in input) Check(item, $"{path}.{name}", depth + 1);
                break;
            case System.Collections.IEnumerable list:
                var i = 0;
                foreach (var item in list) Check(item, $"{path}[{i++}]", depth + 1);
                break;
            case { } typed when typed.GetType().Assembly == typeof(ArgumentTextMiddleware).Assembly && !typed.GetType().IsEnum:
                // A typed input object (ReportComplaintInput and the like): its text properties.
                foreach (var property in typed.GetType().GetProperties())
                    if (property.GetIndexParameters().Length == 0)
                        Check(property.GetValue(typed), $"{path}.{char.ToLowerInvariant(property.Name[0])}{property.Name[1..]}", depth + 1);
                break;
        }
    }

    internal static readonly char[] ControlCharacters =
        [.. Enumerable.Range(0, 32).Where(c => c is not ('\t' or '\n' or '\r')).Select(c => (char)c), '\u007f'];
}

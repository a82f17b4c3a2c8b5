using GraphQL;
using GraphQL.DI;
using GraphQL.Validation;
using GraphQLParser.AST;
using Microsoft.Extensions.Caching.Memory;

namespace CityCase.Api.GraphQL;

/// <summary>
/// Keeps parsed, validated documents by their query text, so the same query (an agent's client sends
/// the same few) is parsed and validated once, not on every request: parsing and validation were a
/// quarter of the server's CPU per request under load. Only documents that passed validation are
/// kept; variables are still coerced and checked on every request. GraphQL.MemoryCache is not
/// served by the registry here, so this is the small piece it would have been.
/// </summary>
public sealed class DocumentCache : IConfigureExecution, IDisposable
{
    /// <summary>Total query text kept, in characters (about ten times that in memory).</summary>
    public const long SizeLimit = 1_000_000;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = SizeLimit });

    public float SortOrder => 200; // among GraphQL.NET's 'Use' configurations

    public async Task<ExecutionResult> ExecuteAsync(ExecutionOptions options, ExecutionDelegate next)
    {
        if (options.Document is not null || options.Query is not { } query) return await next(options);

        var cached = _cache.TryGetValue<GraphQLDocument>(query, out var document);
        if (cached)
        {
            options.Document = document;
            options.ValidationRules = options.CachedDocumentValidationRules ?? []; // it passed them when it was cached
        }
        var result = await next(options);
        if (!cached && result.Executed && result.Document is { } valid)
            _cache.Set(query, valid, new MemoryCacheEntryOptions { Size = query.Length, SlidingExpiration = TimeSpan.FromHours(1) });
        return result;
    }

    public void Dispose() => _cache.Dispose();
}

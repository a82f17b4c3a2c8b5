using System.Text.Json;
using CityCase.Api.Access;
using CityCase.Api.Auth;
using CityCase.Domain;

namespace CityCase.Api.Hosting;

/// <summary>
/// The plain HTTP endpoints beside GraphQL (photos, exports) refuse and fail in GraphQL's shape
/// (<c>errors[].extensions.code</c>), with the HTTP status to match, so a client reads one kind of error.
/// </summary>
public static class HttpErrors
{
    /// <summary>Whether the caller may use <paramref name="endpoint"/> (<see cref="AccessPolicy.HttpRoles"/>); null when allowed.</summary>
    public static DomainException? Refusal(HttpContext http, string endpoint) =>
        AccessPolicy.HttpRefusal(endpoint, http.User.ToActor(), http.Items[JwtAuthentication.FailureItem] as string);

    public static async Task WriteAsync(HttpContext http, DomainException error, int? status = null)
    {
        http.Response.StatusCode = status ?? error.Code switch
        {
            ErrorCodes.Unauthenticated => StatusCodes.Status401Unauthorized,
            ErrorCodes.Forbidden => StatusCodes.Status403Forbidden,
            ErrorCodes.NotFound => StatusCodes.Status404NotFound,
            _ => StatusCodes.Status400BadRequest,
        };
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            errors = new[] { new { message = error.Message, extensions = new { code = error.Code } } },
        }), http.RequestAborted);
    }
}

using System.Security.Claims;
using CityCase.Domain;

namespace CityCase.Api.Auth;

/// <summary>The claims of the contract: <c>sub</c>, <c>name</c>, <c>role</c>, and <c>department</c> for departments.</summary>
public static class CityCaseClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";
    public const string Department = "department";

    /// <summary>The acting user, or null when the request carried no valid token.</summary>
    public static Actor? ToActor(this ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true) return null;
        var id = user.FindFirst(Subject)?.Value;
        var role = user.FindFirst(Role)?.Value;
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(role)) return null;
        return new Actor(id, user.FindFirst(Name)?.Value ?? id, role, user.FindFirst(Department)?.Value);
    }
}

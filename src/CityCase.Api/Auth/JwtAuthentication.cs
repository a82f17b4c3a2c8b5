using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CityCase.Api.Auth;

/// <summary>The <c>Auth</c> configuration section.</summary>
public sealed class AuthSettings
{
    /// <summary>
    /// The development key: used only in the Development environment and only when no key is configured,
    /// so that a fresh clone runs and the <c>token</c> verb mints tokens the server accepts.
    /// </summary>
    public const string DevelopmentSigningKey = "citycase-development-signing-key:not-for-production-use";

    public string Issuer { get; set; } = "citycase";
    public string Audience { get; set; } = "citycase";

    /// <summary>An HMAC-SHA256 key of at least 32 bytes; required outside development.</summary>
    public string? SigningKey { get; set; }

    public static AuthSettings From(IConfiguration configuration, IHostEnvironment environment)
    {
        var settings = configuration.GetSection("Auth").Get<AuthSettings>() ?? new AuthSettings();
        if (string.IsNullOrEmpty(settings.SigningKey))
        {
            if (!environment.IsDevelopment())
                throw new InvalidOperationException(
                    "Auth:SigningKey is not configured. Set it (at least 32 bytes, e.g. Auth__SigningKey) " +
                    "or run in the Development environment, which uses a development key.");
            settings.SigningKey = DevelopmentSigningKey;
        }
        if (Encoding.UTF8.GetByteCount(settings.SigningKey) < 32)
            throw new InvalidOperationException("Auth:SigningKey must be at least 32 bytes long.");
        return settings;
    }

    public SymmetricSecurityKey Key => new(Encoding.UTF8.GetBytes(SigningKey!));
}

public static class JwtAuthentication
{
    /// <summary>Where a refused token's reason is kept, so the GraphQL error can say why.</summary>
    public const string FailureItem = "citycase.auth.failure";

    public static IServiceCollection AddCityCaseAuthentication(this IServiceCollection services, AuthSettings settings)
    {
        services.AddSingleton(settings);
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false; // keep the contract's claim names: sub, name, role, department
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = settings.Issuer,
                    ValidAudience = settings.Audience,
                    IssuerSigningKey = settings.Key,
                    NameClaimType = CityCaseClaims.Name,
                    RoleClaimType = CityCaseClaims.Role,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                options.Events = new JwtBearerEvents
                {
                    OnAuthenticationFailed = context =>
                    {
                        context.HttpContext.Items[FailureItem] = context.Exception switch
                        {
                            SecurityTokenExpiredException => "the token has expired",
                            SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException =>
                                "the token's signature is not valid",
                            _ => "the token is not valid",
                        };
                        return Task.CompletedTask;
                    },
                };
            });
        return services;
    }

    public static string MintToken(AuthSettings settings, string userId, string role, string? name,
        string? department, TimeSpan lifetime)
    {
        var claims = new Dictionary<string, object>
        {
            [CityCaseClaims.Subject] = userId,
            [CityCaseClaims.Name] = name ?? userId,
            [CityCaseClaims.Role] = role,
        };
        if (department is not null) claims[CityCaseClaims.Department] = department;
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(settings.Key, SecurityAlgorithms.HmacSha256),
        });
    }
}

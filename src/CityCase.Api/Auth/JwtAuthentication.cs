using System.Security.Claims;
using System.Text;
using CityCase.Domain;
using Microsoft.AspNetCore.Authentication;
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

    /// <summary>The issuer of CityCase's own (HMAC-signed) tokens: the ones the <c>token</c> verb mints.</summary>
    public string Issuer { get; set; } = "citycase";

    /// <summary>The audience every accepted token must name, from CityCase's key or from the identity provider.</summary>
    public string Audience { get; set; } = "citycase";

    /// <summary>
    /// An HMAC-SHA256 key of at least 32 bytes for CityCase's own tokens. Outside development it is needed
    /// only when no <see cref="Authority"/> is configured; without it, only the identity provider's tokens are accepted.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// The city's identity provider (OpenID Connect): its issuer URL, where
    /// <c>/.well-known/openid-configuration</c> and the JWKS are found. Its tokens are RS256 or ES256.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>Whether the discovery document must come over HTTPS; false only for tests and development.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The identity provider's claim that carries the CityCase role (a string or an array of strings).</summary>
    public string RoleClaim { get; set; } = CityCaseClaims.Role;

    /// <summary>The identity provider's claim that carries a department user's department code.</summary>
    public string DepartmentClaim { get; set; } = CityCaseClaims.Department;

    public bool HasSigningKey => !string.IsNullOrEmpty(SigningKey);
    public bool HasAuthority => !string.IsNullOrEmpty(Authority);

    public static AuthSettings From(IConfiguration configuration, IHostEnvironment environment)
    {
        var settings = configuration.GetSection("Auth").Get<AuthSettings>() ?? new AuthSettings();
        if (string.IsNullOrEmpty(settings.SigningKey))
        {
            if (environment.IsDevelopment())
                settings.SigningKey = DevelopmentSigningKey;
            else if (!settings.HasAuthority)
                throw new InvalidOperationException(
                    "Neither Auth:Authority nor Auth:SigningKey is configured. Set the identity provider " +
                    "(Auth__Authority, Auth__Audience) or a key (at least 32 bytes, Auth__SigningKey), " +
                    "or run in the Development environment, which uses a development key.");
        }
        if (settings.HasSigningKey && Encoding.UTF8.GetByteCount(settings.SigningKey!) < 32)
            throw new InvalidOperationException("Auth:SigningKey must be at least 32 bytes long.");
        if (settings.HasAuthority)
        {
            if (!Uri.TryCreate(settings.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
                throw new InvalidOperationException($"Auth:Authority must be an absolute http(s) URL (was '{settings.Authority}').");
            if (authority.Scheme == "http" && settings.RequireHttpsMetadata)
                throw new InvalidOperationException(
                    "Auth:Authority must use HTTPS; set Auth:RequireHttpsMetadata to false only for tests and development.");
            if (string.Equals(settings.Authority!.TrimEnd('/'), settings.Issuer.TrimEnd('/'), StringComparison.Ordinal))
                throw new InvalidOperationException("Auth:Authority and Auth:Issuer (CityCase's own tokens) must differ.");
        }
        if (string.IsNullOrWhiteSpace(settings.RoleClaim) || string.IsNullOrWhiteSpace(settings.DepartmentClaim))
            throw new InvalidOperationException("Auth:RoleClaim and Auth:DepartmentClaim must not be empty.");
        return settings;
    }

    public SymmetricSecurityKey Key => HasSigningKey
        ? new(Encoding.UTF8.GetBytes(SigningKey!))
        : throw new InvalidOperationException("Auth:SigningKey is not configured: CityCase signs no tokens of its own.");
}

/// <summary>
/// Two JwtBearer schemes behind one policy scheme: <see cref="DevelopmentScheme"/> (CityCase's own
/// HMAC key, issuer <c>Auth:Issuer</c>) and <see cref="IdentityProviderScheme"/> (the city's OpenID
/// Connect provider, keys from its JWKS). The policy scheme reads the token's <c>iss</c> without
/// validating it, only to choose; each scheme then validates with its own keys and algorithms alone,
/// so a key of one issuer never validates a token of the other.
/// </summary>
public static class JwtAuthentication
{
    /// <summary>Where a refused token's reason is kept, so the GraphQL error can say why.</summary>
    public const string FailureItem = "citycase.auth.failure";

    /// <summary>The default scheme: forwards to one of the two below.</summary>
    public const string Scheme = JwtBearerDefaults.AuthenticationScheme;
    public const string DevelopmentScheme = "CityCaseKey";
    public const string IdentityProviderScheme = "IdentityProvider";

    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddCityCaseAuthentication(this IServiceCollection services, AuthSettings settings)
    {
        services.AddSingleton(settings);
        var authentication = services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, Scheme, options =>
                options.ForwardDefaultSelector = http => SchemeFor(settings, BearerToken(http.Request.Headers.Authorization.ToString())));

        if (settings.HasSigningKey)
            authentication.AddJwtBearer(DevelopmentScheme, options =>
            {
                options.MapInboundClaims = false; // keep the contract's claim names: sub, name, role, department
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = settings.Issuer,
                    ValidAudience = settings.Audience,
                    IssuerSigningKey = settings.Key,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    NameClaimType = CityCaseClaims.Name,
                    RoleClaimType = CityCaseClaims.Role,
                    ClockSkew = ClockSkew,
                };
                options.Events = new JwtBearerEvents { OnAuthenticationFailed = RecordFailure };
            });

        if (settings.HasAuthority)
            authentication.AddJwtBearer(IdentityProviderScheme, options =>
            {
                options.MapInboundClaims = false;
                options.Authority = settings.Authority;
                options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
                options.Audience = settings.Audience;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    // The issuer and the keys come from the discovery document and its JWKS.
                    ValidAudience = settings.Audience,
                    ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256],
                    NameClaimType = CityCaseClaims.Name,
                    RoleClaimType = CityCaseClaims.Role,
                    ClockSkew = ClockSkew,
                };
                options.Events = new JwtBearerEvents
                {
                    OnAuthenticationFailed = RecordFailure,
                    OnTokenValidated = context =>
                    {
                        if (ToCityCaseIdentity(context.Principal?.Identity as ClaimsIdentity, settings) is { } identity)
                            context.Principal = new ClaimsPrincipal(identity);
                        else
                        {
                            var why = $"it carries no CityCase role in its '{settings.RoleClaim}' claim";
                            context.HttpContext.Items[FailureItem] = why;
                            context.Fail(why);
                        }
                        return Task.CompletedTask;
                    },
                };
            });
        return services;
    }

    /// <summary>The token of an <c>Authorization: Bearer …</c> value, or null.</summary>
    public static string? BearerToken(string? authorization) =>
        authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization[7..].Trim() is { Length: > 0 } token ? token : null
            : null;

    /// <summary>
    /// The scheme that validates <paramref name="token"/>: CityCase's own key for its own issuer, the
    /// identity provider (when configured) for every other. Nothing here is trusted: the chosen scheme
    /// validates the issuer, the signature with its own keys only, the algorithm, audience and lifetime.
    /// </summary>
    public static string SchemeFor(AuthSettings settings, string? token)
    {
        if (!settings.HasAuthority) return DevelopmentScheme;
        if (!settings.HasSigningKey) return IdentityProviderScheme;
        var handler = new JsonWebTokenHandler();
        string? issuer = null;
        try
        {
            if (token is not null && handler.CanReadToken(token)) issuer = handler.ReadJsonWebToken(token).Issuer;
        }
        catch (ArgumentException) { } // unreadable: let the scheme refuse it with its reason
        return string.Equals(issuer, settings.Issuer, StringComparison.Ordinal) ? DevelopmentScheme : IdentityProviderScheme;
    }

    /// <summary>
    /// The identity provider's claims in CityCase's terms: the configured role claim becomes <c>role</c>
    /// (the first value that is a CityCase role), the configured department claim <c>department</c>;
    /// <c>name</c> falls back to <c>preferred_username</c>. Null when no CityCase role is present.
    /// </summary>
    public static ClaimsIdentity? ToCityCaseIdentity(ClaimsIdentity? source, AuthSettings settings)
    {
        if (source is null) return null;
        var role = source.FindAll(settings.RoleClaim).Select(c => c.Value).FirstOrDefault(Roles.All.Contains);
        if (role is null) return null;
        var department = source.FindFirst(settings.DepartmentClaim)?.Value;
        var name = source.FindFirst(CityCaseClaims.Name)?.Value ?? source.FindFirst("preferred_username")?.Value;

        // Drop whatever the provider put under CityCase's own names; they mean what the settings say.
        var claims = source.Claims
            .Where(c => c.Type is not (CityCaseClaims.Role or CityCaseClaims.Department or CityCaseClaims.Name))
            .Select(c => new Claim(c.Type, c.Value, c.ValueType, c.Issuer))
            .ToList();
        claims.Add(new Claim(CityCaseClaims.Role, role));
        if (department is not null) claims.Add(new Claim(CityCaseClaims.Department, department));
        if (name is not null) claims.Add(new Claim(CityCaseClaims.Name, name));
        return new ClaimsIdentity(claims, source.AuthenticationType, CityCaseClaims.Name, CityCaseClaims.Role);
    }

    /// <summary>
    /// Authenticates a bearer token that did not come in a request header (a WebSocket's
    /// <c>connection_init</c>) through the very same schemes as HTTP requests, in a scope of its own.
    /// </summary>
    public static async Task<AuthenticateResult> AuthenticateTokenAsync(IServiceProvider services, string token,
        CancellationToken cancellationToken)
    {
        // A fresh scope: the handler provider caches handlers bound to the HttpContext they first served.
        await using var scope = services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider, RequestAborted = cancellationToken };
        http.Request.Headers.Authorization = "Bearer " + token;
        return await http.AuthenticateAsync(Scheme);
    }

    private static Task RecordFailure(AuthenticationFailedContext context)
    {
        context.HttpContext.Items[FailureItem] = context.Exception switch
        {
            SecurityTokenExpiredException => "the token has expired",
            SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException =>
                "the token's signature is not valid",
            SecurityTokenInvalidAudienceException => "the token is not for this audience",
            _ => "the token is not valid",
        };
        return Task.CompletedTask;
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

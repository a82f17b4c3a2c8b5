using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CityCase.Api.Auth;
using CityCase.Api.Hosting;
using CityCase.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static CityCase.IntegrationTests.Infrastructure.Samples;
using static CityCase.IntegrationTests.Infrastructure.RawWebSocket;

namespace CityCase.IntegrationTests.Auth;

/// <summary>
/// A test identity provider on a loopback port (OpenID Connect discovery and a JWKS with an RSA and an
/// EC P-256 key), and a CityCase server that trusts it besides its development key. The server reads the
/// role from <c>city_role</c> and the department from <c>city_department</c>.
/// </summary>
public sealed class IdentityProvider : IAsyncLifetime
{
    public const string RoleClaim = "city_role";
    public const string DepartmentClaim = "city_department";

    private WebApplication? _idp;
    public RSA Rsa { get; } = RSA.Create(2048);
    public ECDsa Ec { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    public string Issuer { get; private set; } = "";
    public CityCaseServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--urls", "http://127.0.0.1:0"] });
        builder.Logging.ClearProviders();
        _idp = builder.Build();
        _idp.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = Issuer + "/.well-known/jwks.json",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256", "ES256" },
        }));
        _idp.MapGet("/.well-known/jwks.json", () =>
        {
            var rsa = Rsa.ExportParameters(false);
            var ec = Ec.ExportParameters(false);
            return Results.Json(new
            {
                keys = new object[]
                {
                    new { kty = "RSA", use = "sig", alg = "RS256", kid = "rsa-1",
                          n = Base64UrlEncoder.Encode(rsa.Modulus), e = Base64UrlEncoder.Encode(rsa.Exponent) },
                    new { kty = "EC", use = "sig", alg = "ES256", kid = "ec-1", crv = "P-256",
                          x = Base64UrlEncoder.Encode(ec.Q.X), y = Base64UrlEncoder.Encode(ec.Q.Y) },
                },
            });
        });
        await _idp.StartAsync();
        Issuer = _idp.Urls.Single().TrimEnd('/');

        Server = new CityCaseServer
        {
            Arguments =
            [
                "--Auth:Authority", Issuer, "--Auth:Audience", "citycase", "--Auth:RequireHttpsMetadata", "false",
                "--Auth:RoleClaim", RoleClaim, "--Auth:DepartmentClaim", DepartmentClaim,
            ],
        };
        await Server.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        if (_idp is not null) await _idp.DisposeAsync();
        Rsa.Dispose();
        Ec.Dispose();
    }

    public SigningCredentials RsaCredentials => new(new RsaSecurityKey(Rsa) { KeyId = "rsa-1" }, SecurityAlgorithms.RsaSha256);
    public SigningCredentials EcCredentials => new(new ECDsaSecurityKey(Ec) { KeyId = "ec-1" }, SecurityAlgorithms.EcdsaSha256);

    /// <summary>A token as the provider issues it: its issuer, audience <c>citycase</c>, the role in <see cref="RoleClaim"/>.</summary>
    public string Token(SigningCredentials credentials, string? role, string user = "idp-user", string? department = null,
        string? issuer = null, string audience = "citycase", DateTime? expires = null, Dictionary<string, object>? extra = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = user, ["preferred_username"] = user + "@city" };
        if (role is not null) claims[RoleClaim] = role;
        if (department is not null) claims[DepartmentClaim] = department;
        foreach (var (k, v) in extra ?? []) claims[k] = v;
        var expiry = expires ?? DateTime.UtcNow.AddHours(1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = expiry.AddHours(-2),
            NotBefore = expiry.AddHours(-2),
            Expires = expiry,
            SigningCredentials = credentials,
        });
    }
}

public sealed class IdentityProviderTests(IdentityProvider idp) : IClassFixture<IdentityProvider>
{
    private CityCaseServer Server => idp.Server;

    private const string SlaBoard = "{ slaBoard { green yellow red } }";

    [Fact]
    public async Task An_RS256_token_from_the_provider_lets_an_agent_report_a_complaint()
    {
        var before = await Server.CountEvents("case_reported");
        var response = await Server.PostGraphQL(ReportComplaint, Complaint(), idp.Token(idp.RsaCredentials, "agent"));
        Assert.True(response.Errors is null, response.ToString());
        Assert.NotNull(response.Data?["reportComplaint"]?["case"]?["number"]);
        Assert.Equal(before + 1, await Server.CountEvents("case_reported"));
    }

    [Fact]
    public async Task An_ES256_token_from_the_provider_signs_in_and_its_role_is_honoured()
    {
        var board = await Server.PostGraphQL(SlaBoard, token: idp.Token(idp.EcCredentials, "supervisor", user: "sue-7"));
        Assert.True(board.Errors is null, board.ToString());
        Assert.NotNull(board.Data?["slaBoard"]?["green"]);
        var device = idp.Token(idp.EcCredentials, "device", user: "sensor-7");
        Assert.Equal("FORBIDDEN", (await Server.PostGraphQL(SlaBoard, token: device)).FirstErrorCode); // not a device's to read

        await AssertRefused(device, "FORBIDDEN", "agent");
        var agent = await Server.PostGraphQL(ReportComplaint, Complaint(), idp.Token(idp.EcCredentials, "agent"));
        Assert.True(agent.Errors is null, agent.ToString());
    }

    [Fact]
    public async Task The_role_is_read_from_the_configured_claim_only()
    {
        // A "role" claim of the provider's own means nothing: only city_role counts.
        var device = idp.Token(idp.RsaCredentials, "device", extra: new() { ["role"] = "admin" });
        await AssertRefused(device, "FORBIDDEN", "agent");

        var noCityRole = idp.Token(idp.RsaCredentials, role: null, extra: new() { ["role"] = "agent" });
        await AssertRefused(noCityRole, "UNAUTHENTICATED", RoleClaimMention);

        var unknownRole = idp.Token(idp.RsaCredentials, "mayor");
        await AssertRefused(unknownRole, "UNAUTHENTICATED", RoleClaimMention);

        // An array of roles: the first that is a CityCase role is taken.
        var listed = idp.Token(idp.RsaCredentials, role: null, extra: new() { [IdentityProvider.RoleClaim] = new[] { "staff", "agent" } });
        var response = await Server.PostGraphQL(ReportComplaint, Complaint(), listed);
        Assert.True(response.Errors is null, response.ToString());
    }

    private const string RoleClaimMention = "city_role";

    [Fact]
    public async Task The_department_is_read_from_the_configured_claim()
    {
        const string queue = "query($d: String!) { dispatchQueue(departmentCode: $d) { edges { cursor } } }";
        var user = idp.Token(idp.EcCredentials, "department", department: "D-WATER", extra: new() { ["department"] = "D-ROADS" });
        var own = await Server.PostGraphQL(queue, new { d = "D-WATER" }, user);
        Assert.True(own.Errors is null, own.ToString());
        var other = await Server.PostGraphQL(queue, new { d = "D-ROADS" }, user);
        Assert.Equal("FORBIDDEN", other.FirstErrorCode);
    }

    [Theory]
    [InlineData("alg none, the provider's issuer")]
    [InlineData("alg none, CityCase's issuer")]
    [InlineData("HS256 signed with the RSA public key's DER bytes")]
    [InlineData("HS256 signed with the RSA public key's PEM bytes")]
    [InlineData("wrong audience")]
    [InlineData("expired")]
    [InlineData("signed by an unknown key")]
    [InlineData("signed by an unknown key under a known kid")]
    [InlineData("the development key with the provider's issuer")]
    [InlineData("the provider's key with CityCase's issuer")]
    public Task A_token_that_must_not_pass_is_unauthenticated_and_appends_nothing(string kind) =>
        AssertRefused(Forged(kind), "UNAUTHENTICATED", "refused");

    [Fact]
    public async Task Development_key_tokens_keep_working_beside_the_provider()
    {
        var response = await Server.PostGraphQL(ReportComplaint, Complaint(), CityCaseServer.Token("agent"));
        Assert.True(response.Errors is null, response.ToString());
        await AssertRefused(CityCaseServer.Token("device"), "FORBIDDEN", "agent");
    }

    [Fact]
    public async Task The_websocket_init_accepts_the_providers_tokens_and_refuses_a_cross_issuer_one()
    {
        using var socket = await Connect();
        await Send(socket, $$$"""{"type":"connection_init","payload":{"token":"{{{idp.Token(idp.EcCredentials, "supervisor")}}}"}}""");
        Assert.Equal("""{"type":"connection_ack"}""", await Receive(socket));
        await Send(socket, $$$"""{"id":"1","type":"subscribe","payload":{"query":"{{{SlaBoard}}}"}}""");
        var next = await Receive(socket);
        Assert.Contains("\"type\":\"next\"", next);
        Assert.Contains("\"green\"", next);
        Assert.DoesNotContain("errors", next);

        using var forged = await Connect();
        await Send(forged, $$$"""{"type":"connection_init","payload":{"Authorization":"Bearer {{{Forged("the development key with the provider's issuer")}}}"}}""");
        Assert.StartsWith("CLOSE 4403", await Receive(forged));
    }

    private string Forged(string kind)
    {
        var devIssuer = new AuthSettings().Issuer;
        switch (kind)
        {
            case "alg none, the provider's issuer": return Unsigned(idp.Issuer);
            case "alg none, CityCase's issuer": return Unsigned(devIssuer);
            case "HS256 signed with the RSA public key's DER bytes":
                return idp.Token(new SigningCredentials(new SymmetricSecurityKey(idp.Rsa.ExportSubjectPublicKeyInfo()) { KeyId = "rsa-1" },
                    SecurityAlgorithms.HmacSha256), "agent");
            case "HS256 signed with the RSA public key's PEM bytes":
                return idp.Token(new SigningCredentials(new SymmetricSecurityKey(Encoding.ASCII.GetBytes(idp.Rsa.ExportSubjectPublicKeyInfoPem())) { KeyId = "rsa-1" },
                    SecurityAlgorithms.HmacSha256), "agent");
            case "wrong audience": return idp.Token(idp.RsaCredentials, "agent", audience: "another-app");
            case "expired": return idp.Token(idp.EcCredentials, "agent", expires: DateTime.UtcNow.AddMinutes(-5));
            case "signed by an unknown key":
                return idp.Token(new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "rsa-unknown" }, SecurityAlgorithms.RsaSha256), "agent");
            case "signed by an unknown key under a known kid":
                return idp.Token(new SigningCredentials(new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "ec-1" }, SecurityAlgorithms.EcdsaSha256), "agent");
            case "the development key with the provider's issuer":
                return JwtAuthentication.MintToken(new AuthSettings { Issuer = idp.Issuer, SigningKey = AuthSettings.DevelopmentSigningKey },
                    "mallory", "agent", null, null, TimeSpan.FromHours(1));
            case "the provider's key with CityCase's issuer": return idp.Token(idp.RsaCredentials, "agent", issuer: devIssuer);
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>An unsigned token (<c>alg: none</c>) claiming an agent, with both role claim names.</summary>
    private static string Unsigned(string issuer)
    {
        static string Part(object o) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(o));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return Part(new { alg = "none", typ = "JWT" }) + "." + Part(new Dictionary<string, object>
        {
            ["iss"] = issuer, ["aud"] = "citycase", ["sub"] = "mallory", ["role"] = "agent", [IdentityProvider.RoleClaim] = "agent",
            ["iat"] = now, ["nbf"] = now, ["exp"] = now + 3600,
        }) + ".";
    }

    private async Task AssertRefused(string token, string code, string mentions)
    {
        var before = await Server.CountEvents();
        var response = await Server.PostGraphQL(ReportComplaint, Complaint(), token);
        Assert.True(code == response.FirstErrorCode, response.ToString());
        Assert.Contains(mentions, response.FirstErrorMessage);
        Assert.Null(response.Data?["reportComplaint"]);
        Assert.Equal(before, await Server.CountEvents());
    }

    private Task<ClientWebSocket> Connect() => RawWebSocket.Connect(Server.BaseAddress);
}

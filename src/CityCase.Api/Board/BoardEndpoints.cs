using CityCase.Api.Auth;
using Microsoft.Extensions.FileProviders;

namespace CityCase.Api.Board;

/// <summary>
/// The command centre's screen (/board) and the case replay page (/board/case/{number}): static files that the
/// Api project's build makes from src/CityCase.Board (npm ci and the Vite build) and copies beside the binaries as
/// board/. They talk to /graphql like any client; no page logic lives here.
/// </summary>
public static class BoardEndpoints
{
    /// <summary>The roles the development sign-in hands out: the board's supervisor and the replay's auditor.</summary>
    private static readonly string[] DevelopmentRoles = [Domain.Roles.Supervisor, Domain.Roles.Auditor];

    public static string Root => Path.Combine(AppContext.BaseDirectory, "board");

    public static WebApplication MapBoard(this WebApplication app)
    {
        if (!File.Exists(Path.Combine(Root, "index.html")))
        {
            // Built without Node.js: the API runs, the pages say why they are missing.
            app.MapGet("/board/{**rest}", () => Results.Text(
                "The board was not built: the build needs Node.js and npm (see README, 'The command centre's screen').",
                statusCode: StatusCodes.Status503ServiceUnavailable));
            return app;
        }

        var files = new PhysicalFileProvider(Root);
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files, RequestPath = "/board" });
        app.MapGet("/board", () => Page("index.html"));
        app.MapGet("/board/case/{number}", (string number) => Page("replay.html"));

        // Development only: a token for the page's "sign in" button, as the `token` verb prints one. It does not exist
        // in any other environment (404), so a deployed board signs in with the city's identity provider's tokens.
        if (app.Environment.IsDevelopment())
            app.MapPost("/board/dev-token", (string? role, AuthSettings settings) =>
            {
                role ??= Domain.Roles.Supervisor;
                if (!DevelopmentRoles.Contains(role))
                    return Results.BadRequest(new { error = $"role must be one of {string.Join(", ", DevelopmentRoles)} (was '{role}')" });
                return Results.Json(new
                {
                    token = JwtAuthentication.MintToken(settings, $"board-{role}", role, $"Board ({role}, development)", null, TimeSpan.FromHours(12)),
                    role,
                });
            });
        return app;

        static IResult Page(string name) => Results.File(Path.Combine(Root, name), "text/html; charset=utf-8");
    }
}

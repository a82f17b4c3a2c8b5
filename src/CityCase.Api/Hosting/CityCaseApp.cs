using CityCase.Api.Observability;
using CityCase.Api.Board;
using CityCase.Api.Auth;
using CityCase.Api.Evidence;
using CityCase.Api.Exports;
using CityCase.Api.GraphQL;
using CityCase.Api.LocalPostgres;
using CityCase.Api.Open311;
using CityCase.Engine;
using CityCase.Engine.Evidence;
using CityCase.Engine.Intake;
using CityCase.Engine.Notices;
using JasperFx.CodeGeneration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Wolverine;

namespace CityCase.Api.Hosting;

/// <summary>Builds the CityCase server; the program and the integration tests build it the same way.</summary>
public static class CityCaseApp
{
    public static async Task<WebApplication> BuildAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings files sit beside the assembly; the working directory is the caller's (it holds .citycase/).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        var configuration = builder.Configuration;
        DevelopmentKeyGuard.Check(configuration, builder.Environment); // before anything starts

        var connectionString = configuration.GetConnectionString("Marten");
        LocalPostgresCluster? cluster = null;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            // No server configured: run a private cluster of the machine's own PostgreSQL binaries.
            var dataDirectory = Path.GetFullPath(configuration["LocalPostgres:DataDirectory"] ?? ".citycase/pgdata");
            using var loggerFactory = LoggerFactory.Create(l => l.AddConsole());
            cluster = await LocalPostgresCluster.StartAsync(dataDirectory,
                loggerFactory.CreateLogger("CityCase.LocalPostgres"));
            await cluster.CreateDatabaseAsync("citycase");
            connectionString = cluster.ConnectionString("citycase");
        }

        // `--clock-speed 60`: simulated time for demonstrations, so a person sees lights change within minutes.
        if (configuration["clock-speed"] is { } speedText)
        {
            if (!builder.Environment.IsDevelopment())
                throw new InvalidOperationException("--clock-speed is for the Development environment only.");
            if (!double.TryParse(speedText, System.Globalization.CultureInfo.InvariantCulture, out var speed) || speed <= 0)
                throw new InvalidOperationException($"--clock-speed needs a number above 0 (was '{speedText}').");
            builder.Services.AddSingleton<NodaTime.IClock>(new CityCase.Engine.Sla.AcceleratedClock(NodaTime.SystemClock.Instance, speed));
        }

        var city = configuration.GetSection("City").Get<CitySettings>() ?? new CitySettings();
        // The README's start needs no configuration: in Development a privacy secret is generated beside the private cluster.
        if (string.IsNullOrWhiteSpace(city.Privacy.KeyFile) && builder.Environment.IsDevelopment())
            city.Privacy.KeyFile = CityCase.Engine.Privacy.PrivacyKeys.EnsureDevelopmentKeyFile(".citycase/privacy.key");
        builder.Services.AddCityCaseEngine(connectionString, city);
        builder.Services.AddMqttSensorIngest(configuration.GetSection("Mqtt").Get<MqttSettings>() ?? new());
        builder.Services.AddCitizenNotices(CityCase.Engine.Notices.NoticeSettings.From(configuration), city);
        builder.Services.AddEvidenceServices(configuration.GetSection("Attachments").Get<CityCase.Engine.Evidence.AttachmentSettings>() ?? new());
        builder.Host.UseWolverine(opts =>
        {
            CityCaseEngine.ConfigureWolverine(opts, configuration);
            // The pre-generated handlers are compiled into this assembly (Internal/Generated), whoever hosts it.
            opts.ApplicationAssembly = typeof(CityCaseApp).Assembly;
            // `codegen` (JasperFx's verb) generates the code that Static mode loads, so it cannot need it.
            opts.CodeGeneration.TypeLoadMode = args.FirstOrDefault() == "codegen"
                ? TypeLoadMode.Auto
                : configuration.GetValue("Codegen:TypeLoadMode", TypeLoadMode.Static);
            // `codegen write` writes into the project's source, where it is compiled in; not beside the binaries.
            if (ProjectDirectory() is { } project)
                opts.CodeGeneration.GeneratedCodeOutputPath = Path.Combine(project, "Internal", "Generated");
        });

        builder.Services.AddCityCaseAuthentication(AuthSettings.From(configuration, builder.Environment));
        builder.Services.AddCityCaseGraphQL();
        builder.AddCityCaseTelemetry();
        builder.Services.AddRateLimits(configuration);
        builder.Services.AddOpen311(configuration);
        builder.Services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgresql", timeout: TimeSpan.FromSeconds(5), tags: [Ready])
            .AddCheck<ProjectionLagHealthCheck>("projections", timeout: TimeSpan.FromSeconds(5), tags: [Ready])
            .AddCheck<CityCase.Api.Sla.CalendarHealthCheck>("calendar");

        if (cluster is not null) builder.Services.AddSingleton(cluster); // verbs that never start the host stop it themselves
        var app = builder.Build();
        if (cluster is not null)
        {
            app.Lifetime.ApplicationStopped.Register(() => cluster.DisposeAsync().AsTask().GetAwaiter().GetResult());
            // Our own PostgreSQL is restarted if it dies; the connections pooled before then are dead, so drop them.
            var dataSource = app.Services.GetRequiredService<Npgsql.NpgsqlDataSource>();
            cluster.Watch(() =>
            {
                dataSource.Clear();
                Npgsql.NpgsqlConnection.ClearAllPools();
            });
        }

        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.UseAuthentication();
        app.UseRateLimiter(); // after authentication: devices are limited per device
        app.MapGraphQLHttp("/graphql");
        app.MapBoard();
        app.MapCityCaseMetrics();
        app.MapOpen311();
        app.MapAttachments(); // photos: upload, and read under the case's authorization
        app.MapExports(); // analysts' CSV and Excel, under the rules of the GraphQL fields they mirror
        // /health: every check, for operators (200 Healthy or Degraded with the reason, 503 Unhealthy);
        // /health/live: the process answers (restart it if not); /health/ready: the database and the projections (route traffic to it).
        app.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync });
        app.MapHealthChecks("/health/live", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            Predicate = _ => false, ResponseWriter = HealthReportWriter.WriteAsync,
        });
        app.MapHealthChecks("/health/ready", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready), ResponseWriter = HealthReportWriter.WriteAsync,
        });
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var address in ListeningAddresses(app))
                app.Logger.LogInformation("CityCase is ready: {Url}/graphql", address);
        });
        return app;
    }

    private const string Ready = "ready";

    /// <summary>The Api project's folder when running from a source tree (dotnet run, tests); else null.</summary>
    private static string? ProjectDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var project = Path.Combine(dir.FullName, "src", "CityCase.Api");
            if (File.Exists(Path.Combine(project, "CityCase.Api.csproj"))) return project;
        }
        return null;
    }

    /// <summary>The addresses Kestrel actually bound (with port 0 resolved), once started.</summary>
    public static IReadOnlyList<string> ListeningAddresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
}

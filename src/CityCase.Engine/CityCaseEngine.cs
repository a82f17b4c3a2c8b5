using System.Text.Json;
using CityCase.Domain.Assessment;
using CityCase.Domain.Cases;
using CityCase.Engine.Assessment;
using JasperFx.Events.Daemon;
using CityCase.Engine.Cases;
using CityCase.Engine.Audit;
using CityCase.Engine.Intake;
using CityCase.Engine.Lifecycle;
using CityCase.Engine.Sla;
using CityCase.Domain.Time;
using CityCase.Engine.Reference;
using CityCase.Domain.Reference;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using Npgsql;
using Weasel.Core;
using Wolverine;
using Wolverine.Marten;

namespace CityCase.Engine;

/// <summary>Settings of one city's engine, bound from the <c>City</c> configuration section.</summary>
public sealed class CitySettings
{
    /// <summary>The city's time zone (IANA id); it decides which day a case number belongs to.</summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>The folder holding the city's reference data (grids, categories, departments, dispatch rules).</summary>
    public string ReferenceDirectory { get; set; } = "reference";

    /// <summary>The stage clocks' limits (disposal limits come from the category catalogue).</summary>
    public SlaLimitSettings Sla { get; set; } = new();

    /// <summary>The PostgreSQL schema that holds CityCase's documents and events.</summary>
    public string Schema { get; set; } = "citycase";

    /// <summary>
    /// Whether this node runs the async projections (the scorecards): <c>Solo</c>, or <c>Disabled</c> on
    /// every node but one when several serve the same database (see the README on why not HotCold).
    /// </summary>
    public DaemonMode ProjectionDaemon { get; set; } = DaemonMode.Solo;

    /// <summary>How cases are assessed: the composite score's weights and the hotline's notice limit.</summary>
    public ScorecardSettings Scorecard { get; set; } = new();
}

/// <summary>The <c>City:Scorecard</c> section.</summary>
public sealed class ScorecardSettings
{
    /// <summary>The department composite score's weights (they must add up to 100).</summary>
    public CompositeWeightSettings Weights { get; set; } = new();

    /// <summary>How soon after the call the citizen must be told the case was accepted, in working days.</summary>
    public double AcceptanceNoticeWorkingDays { get; set; } = 1;
}

public sealed class CompositeWeightSettings
{
    public double DisposalRate { get; set; } = 30;
    public double OnTimeDisposalRate { get; set; } = 20;
    public double ReworkRate { get; set; } = 20;
    public double OverdueRate { get; set; } = 20;
    public double ExtensionRate { get; set; } = 10;

    public CompositeWeights ToWeights() =>
        new CompositeWeights(DisposalRate, OnTimeDisposalRate, ReworkRate, OverdueRate, ExtensionRate).Validated();
}

/// <summary>Hands the store to the change feed once both exist.</summary>
internal sealed class FeedAttachment(CaseChangeFeed feed, IDocumentStore store) : Microsoft.Extensions.Hosting.IHostedService
{
    public Task StartAsync(CancellationToken ct) { feed.Attach(store); return Task.CompletedTask; }
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>The <c>City:Sla</c> section: a city's own time limits for the stage clocks (domain.md's published examples by default).</summary>
public sealed class SlaLimitSettings
{
    public double FilingWorkingHours { get; set; } = 0.5;
    public double DispatchWorkingHours { get; set; } = 0.5;
    public double UrgentDispatchWorkingHours { get; set; } = 10.0 / 60;
    public double SigningWorkingHours { get; set; } = 1;
    public double VerificationWorkingHours { get; set; } = 1;
    public double ClosingWorkingHours { get; set; } = 1;
    public double CitizenWorkingDays { get; set; } = 5;
}

/// <summary>Wires the event store, projections and command handlers the idiomatic Critter Stack way.</summary>
public static class CityCaseEngine
{
    /// <summary>The JSON settings Marten stores events and documents with: NodaTime types as ISO strings.</summary>
    public static JsonSerializerOptions ConfigureJson(JsonSerializerOptions json)
    {
        json.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
        return json;
    }

    public static IServiceCollection AddCityCaseEngine(
        this IServiceCollection services, string connectionString, CitySettings city)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(city.TimeZone)
                   ?? throw new InvalidOperationException(
                       $"City:TimeZone '{city.TimeZone}' is not a known IANA time zone id (for example Asia/Shanghai).");

        var dataSource = new NpgsqlDataSourceBuilder(connectionString).Build();
        services.AddSingleton(dataSource);
        services.AddSingleton(city);
        services.AddSingleton(zone);
        services.TryAddSingleton<IClock>(SystemClock.Instance); // tests and simulations bring their own
        services.AddSingleton<CaseNumbers>();

        var reference = ReferenceDataFiles.Load(Path.GetFullPath(city.ReferenceDirectory, AppContext.BaseDirectory));
        services.AddSingleton(reference);
        services.AddSingleton<ICaseRules>(reference);
        var calendarFile = Path.Combine(Path.GetFullPath(city.ReferenceDirectory, AppContext.BaseDirectory), "calendar.json");
        var calendar = File.Exists(calendarFile)
            ? BusinessCalendar.Parse(File.ReadAllText(calendarFile))
            : throw new InvalidOperationException($"The business calendar {calendarFile} is missing.");
        services.AddSingleton(calendar);
        services.AddSingleton(new SlaPolicy(calendar, (category, urgency) =>
            reference.CategoriesByCode.TryGetValue(category, out var c) && c.DisposalLimits.TryGetValue(urgency, out var limit)
                ? limit
                : null)
        {
            Filing = new Limit(city.Sla.FilingWorkingHours, LimitUnit.WorkingHours),
            DispatchNormal = new Limit(city.Sla.DispatchWorkingHours, LimitUnit.WorkingHours),
            DispatchUrgent = new Limit(city.Sla.UrgentDispatchWorkingHours, LimitUnit.WorkingHours),
            Signing = new Limit(city.Sla.SigningWorkingHours, LimitUnit.WorkingHours),
            Verification = new Limit(city.Sla.VerificationWorkingHours, LimitUnit.WorkingHours),
            Closing = new Limit(city.Sla.ClosingWorkingHours, LimitUnit.WorkingHours),
            Citizen = new Limit(city.Sla.CitizenWorkingDays, LimitUnit.WorkingDays),
        });
        var weights = city.Scorecard.Weights.ToWeights();
        services.AddSingleton(weights);
        var beatsFile = Path.Combine(Path.GetFullPath(city.ReferenceDirectory, AppContext.BaseDirectory), InspectorBeats.File);
        var assessment = new AssessmentRules(calendar,
            File.Exists(beatsFile) ? LoadBeats(beatsFile, reference) : new Dictionary<string, string>(),
            new Limit(city.Scorecard.AcceptanceNoticeWorkingDays, LimitUnit.WorkingDays));
        services.AddSingleton(assessment);
        var feed = new CaseChangeFeed();
        services.AddSingleton(feed);
        services.AddSingleton<SlaTimekeeper>();
        services.AddHostedService(sp => sp.GetRequiredService<SlaTimekeeper>());

        var marten = services.AddMarten(opts =>
            {
                opts.Connection(dataSource);
                opts.DatabaseSchemaName = city.Schema;
                opts.Events.DatabaseSchemaName = city.Schema;
                opts.Events.StreamIdentity = StreamIdentity.AsGuid;
                opts.Events.MetadataConfig.CorrelationIdEnabled = true; // which request appended the event
                opts.Events.MetadataConfig.CausationIdEnabled = true;
                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase,
                    json => ConfigureJson(json));

                // Rebuilds (and the daemon) read events in pages of 5,000: a round trip and a commit per page.
                static void LargePages(AsyncOptions o) => o.BatchSize = 5_000;
                opts.Projections.Add<CaseViewProjection>(ProjectionLifecycle.Inline, LargePages);
                opts.Projections.Add<CaseWriteModelProjection>(ProjectionLifecycle.Live);
                opts.Projections.Add<SlaTimerProjection>(ProjectionLifecycle.Inline, LargePages);
                opts.Projections.Add(new ScorecardProjection(assessment), ProjectionLifecycle.Async, ScorecardProjection.Name,
                    o =>
                    {
                        LargePages(o);
                        o.DeleteViewTypeOnTeardown<CaseAssessment>();
                        o.DeleteViewTypeOnTeardown<ScoreBucket>();
                    });
                opts.RegisterDocumentType<CaseAssessment>();
                // Scorecards should follow the events within a fraction of a second; the poll is one tiny query.
                opts.Projections.FastPollingTime = TimeSpan.FromMilliseconds(100);
                opts.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
                opts.Schema.For<ScoreBucket>().Index(x => new { x.Kind, x.DayNumber });
                opts.Schema.For<SlaTimer>().Index(x => x.YellowAtMs).Index(x => x.DeadlineMs);
                opts.Schema.For<CaseView>().UniqueIndex(x => x.Number)
                    .Index(x => x.StreetCode).Index(x => x.GridCode)
                    .Index(x => new { x.DepartmentCode, x.QueueKey }) // a department's queue page is one range scan
                    .Index(x => x.Sensor!.SensorId); // a sensor's repeat finds its open case without a scan

                opts.Storage.ExtendedSchemaObjects.Add(CaseNumbers.Table(city.Schema));
                opts.Listeners.Add(feed);
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            .IntegrateWithWolverine();
        if (city.ProjectionDaemon != DaemonMode.Disabled) marten.AddAsyncDaemon(city.ProjectionDaemon);
        services.AddSingleton<AuditChain>();
        services.AddSingleton<ScoreBucketSums>();
        services.AddHostedService<AuditChainInstaller>(); // after Marten's own start-up has made mt_events
        services.AddHostedService<ReferenceDataPublisher>();
        services.AddSingleton<IHostedService>(sp => new FeedAttachment(feed, sp.GetRequiredService<IDocumentStore>()));

        return services;
    }

    private static IReadOnlyDictionary<string, string> LoadBeats(string file, ReferenceData reference)
    {
        try
        {
            return InspectorBeats.Parse(File.ReadAllText(file), reference.GridsByCode);
        }
        catch (ReferenceDataException e)
        {
            throw new InvalidOperationException($"The reference data in {Path.GetDirectoryName(file)} cannot be used: {e.Message}", e);
        }
    }

    /// <summary>Handlers live in this assembly; every handler that touches Marten runs in one transaction.</summary>
    public static void ConfigureWolverine(WolverineOptions opts)
    {
        opts.Discovery.IncludeAssembly(typeof(CityCaseEngine).Assembly);
        opts.Policies.AutoApplyTransactions();
    }
}

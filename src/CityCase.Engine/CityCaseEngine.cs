using System.Text.Json;
using CityCase.Domain.Assessment;
using CityCase.Domain.Cases;
using CityCase.Engine.Assessment;
using CityCase.Engine.Audit;
using CityCase.Engine.Cases;
using CityCase.Engine.Evidence;
using CityCase.Engine.Intake;
using CityCase.Engine.Live;
using CityCase.Engine.Notices;
using CityCase.Engine.Privacy;
using CityCase.Engine.Reference;
using CityCase.Engine.Sla;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using Npgsql;
using Weasel.Core;
using Wolverine;
using Wolverine.Marten;

namespace CityCase.Engine;

/// <summary>
/// Wires the engine the idiomatic Critter Stack way; a table of contents: the city's reference data and rules,
/// then the store with each capability's own registrations (<c>Cases/</c>, <c>Sla/</c>, <c>Assessment/</c>,
/// <c>Intake/</c>), then the services that run beside it.
/// </summary>
public static class CityCaseEngine
{
    /// <summary>The JSON settings Marten stores events and documents with: NodaTime types as ISO strings.</summary>
    public static JsonSerializerOptions ConfigureJson(JsonSerializerOptions json)
    {
        json.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
        return json;
    }

    /// <summary>Rebuilds (and the daemon) read events in pages of 5,000: a round trip and a commit per page.</summary>
    internal static void LargePages(AsyncOptions o) => o.BatchSize = 5_000;

    public static IServiceCollection AddCityCaseEngine(
        this IServiceCollection services, string connectionString, CitySettings city)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(city.TimeZone)
                   ?? throw new InvalidOperationException(
                       $"City:TimeZone '{city.TimeZone}' is not a known IANA time zone id (for example Asia/Shanghai).");
        var dataSource = CityCaseDataSource.Build(connectionString); // one host, or a primary and its standby
        services.AddSingleton(_ => dataSource); // made by a factory, so the container disposes it (and its idle connections) with the host
        services.AddSingleton(city);
        services.AddSingleton(zone);
        services.TryAddSingleton<IClock>(SystemClock.Instance); // tests and simulations bring their own

        // The city's reference data, calendar and rules, validated before anything starts.
        var referenceDirectory = Path.GetFullPath(city.ReferenceDirectory, AppContext.BaseDirectory);
        var reference = ReferenceDataFiles.Load(referenceDirectory);
        var (calendar, calendarText) = ReferenceDataFiles.LoadCalendar(referenceDirectory);
        var beats = ReferenceDataFiles.LoadBeats(referenceDirectory, reference);
        var cityCalendar = new CityCalendar(calendar, calendarText, city.Sla.ToPolicy(calendar, reference) with { Loop = city.Loop.ToRules(beats) });
        var assessment = city.Scorecard.ToRules(calendar, beats);
        services.AddSingleton(reference);
        services.AddSingleton<ICaseRules>(reference);
        // The calendar can change while the server runs (CalendarKeeper): whoever asks gets the one in force.
        services.AddSingleton(cityCalendar);
        services.AddTransient(sp => sp.GetRequiredService<CityCalendar>().Current);
        services.AddTransient(sp => sp.GetRequiredService<CityCalendar>().Sla);
        services.AddSingleton(city.Scorecard.Weights.ToWeights());
        services.AddSingleton(assessment);
        var scorecardRules = city.Scorecard.ToVersion(assessment.InspectorOfGrid);
        var scorecardVersions = new ScorecardVersionState();
        services.AddSingleton(scorecardRules);
        services.AddSingleton(scorecardVersions);

        var marten = services.AddMarten(opts =>
            {
                opts.Connection(dataSource);
                opts.DatabaseSchemaName = city.Schema;
                opts.Events.DatabaseSchemaName = city.Schema;
                opts.Events.StreamIdentity = StreamIdentity.AsGuid;
                opts.Events.MetadataConfig.CorrelationIdEnabled = true; // which request appended the event
                opts.Events.MetadataConfig.CausationIdEnabled = true;
                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, json => ConfigureJson(json));

                opts.Listeners.Add(new Observability.CityCaseMetrics.CommittedEvents()); // cases filed and lights, once committed
                opts.OpenTelemetry.TrackConnections = JasperFx.OpenTelemetry.TrackLevel.Normal;
                opts.AddCases().AddSlaTimers().AddScorecards(assessment, scorecardRules.Version, scorecardVersions).AddIntake(city.Schema).AddLiveFeed(city.Schema).AddPrivacy()
                    .AddEvidence(city.Schema);
            })
            .UseLightweightSessions()
            .ApplyAllDatabaseChangesOnStartup()
            // Wolverine's inbox, outbox and node records live in the same database (its own tables in the schema).
            .IntegrateWithWolverine(w => w.UseWolverineManagedEventSubscriptionDistribution =
                city.ProjectionDaemon == ProjectionDaemonMode.Wolverine);
        if (city.ProjectionDaemon is ProjectionDaemonMode.HotCold or ProjectionDaemonMode.Solo)
        {
            marten.AddAsyncDaemon(city.ProjectionDaemon == ProjectionDaemonMode.HotCold ? DaemonMode.HotCold : DaemonMode.Solo);
            services.AddHostedService<Daemon.StrandedShardReleaser>();
        }

        services.AddSingleton<CaseNumbers>();
        services.AddSingleton<CaseChangeFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<CaseChangeFeed>());
        services.AddSingleton<SlaTimekeeper>();
        services.AddHostedService(sp => sp.GetRequiredService<SlaTimekeeper>());
        services.AddSingleton<Supervision.SupervisionEscalator>();
        services.AddHostedService(sp => sp.GetRequiredService<Supervision.SupervisionEscalator>());
        services.AddSingleton<ScoreBucketSums>();
        services.AddSingleton<ScorecardVersions>();
        services.AddHostedService(sp => sp.GetRequiredService<ScorecardVersions>());
        services.AddSingleton<SlaBoardQuery>();
        services.AddAuditTrail(); // after Marten's own start-up has made mt_events
        services.AddHostedService<CaseViewStatistics>(); // likewise, once the case view's table exists
        services.AddSingleton<CalendarKeeper>();
        services.AddHostedService(sp => sp.GetRequiredService<CalendarKeeper>()); // after the chain: its events are chained too
        services.AddHostedService<ReferenceDataPublisher>();
        services.AddPrivacyServices(city.Privacy);
        return services;
    }

    /// <summary>
    /// Handlers live in this assembly; every handler that touches Marten runs in one transaction. Durability is
    /// <c>Balanced</c>: every node registers itself and beats its heart in PostgreSQL, the nodes elect a leader, and
    /// messages on local queues are stored before they are handled, so a node that dies leaves its accepted work in
    /// its inbox and another node finishes it. <c>Wolverine:Durability</c> tunes the heartbeat and the failover
    /// times (Wolverine's own <see cref="DurabilitySettings"/> names).
    /// </summary>
    public static void ConfigureWolverine(WolverineOptions opts, IConfiguration configuration)
    {
        opts.Discovery.IncludeAssembly(typeof(CityCaseEngine).Assembly);
        opts.Policies.AutoApplyTransactions();
        opts.Durability.Mode = DurabilityMode.Balanced;
        opts.Policies.UseDurableLocalQueues();
        opts.PublishMessage<DueSlaLights>().ToLocalQueue(SlaLightQueue.Name);
        opts.RouteCitizenNotices(NoticeSettings.From(configuration));
        configuration.GetSection("Wolverine:Durability").Bind(opts.Durability);
    }
}

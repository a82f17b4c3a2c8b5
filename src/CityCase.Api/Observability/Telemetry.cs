using CityCase.Engine.Observability;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CityCase.Api.Observability;

/// <summary>
/// Traces and metrics with OpenTelemetry: ASP.NET Core → GraphQL operation (CityCase's own span) → Wolverine handler
/// → Marten and Npgsql commands, in one trace. OTLP export when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the standard
/// variable, with its companions such as OTEL_SERVICE_NAME); a Prometheus scrape at <c>/metrics</c> unless
/// <c>Telemetry:Prometheus</c> is false. Structured JSON logs: <c>Logging:Console:FormatterName=json</c>.
/// </summary>
public static class Telemetry
{
    public static WebApplicationBuilder AddCityCaseTelemetry(this WebApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var prometheus = builder.Configuration.GetValue("Telemetry:Prometheus", true);
        builder.Services.AddSingleton<ProjectionLagSampler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProjectionLagSampler>());
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("citycase"))
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation(options =>
                        // Health probes and scrapes every few seconds would drown the traces people look for.
                        options.Filter = http => !http.Request.Path.StartsWithSegments("/health") && !http.Request.Path.StartsWithSegments("/metrics"))
                    .AddSource(CityCaseMetrics.Name, "Wolverine", "Marten")
                    .AddNpgsql();
                if (otlp) tracing.AddOtlpExporter();
            })
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter(CityCaseMetrics.Name, "Wolverine", "Marten", "Npgsql");
                if (otlp) metrics.AddOtlpExporter();
                if (prometheus) metrics.AddPrometheusExporter();
            });
        return builder;
    }

    public static WebApplication MapCityCaseMetrics(this WebApplication app)
    {
        if (app.Configuration.GetValue("Telemetry:Prometheus", true))
            app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new HttpMethodMetadata(["GET"])); // a scrape reads
        return app;
    }
}

using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CityCase.Engine.Intake;

public static class IntakeConfiguration
{
    /// <summary>The daily case-number sequences (idempotency keys are plain documents).</summary>
    public static StoreOptions AddIntake(this StoreOptions opts, string schema)
    {
        opts.Storage.ExtendedSchemaObjects.Add(CaseNumbers.Table(schema));
        return opts;
    }

    /// <summary>Sensors' MQTT channel, when a broker is configured (<c>Mqtt__Host</c>); without one, nothing runs.</summary>
    public static IServiceCollection AddMqttSensorIngest(this IServiceCollection services, MqttSettings settings)
    {
        if (!settings.Enabled) return services;
        if (settings.Port is < 1 or > 65535) throw new InvalidOperationException($"Mqtt:Port must be from 1 to 65535 (was {settings.Port}).");
        if (settings.Workers is < 1 or > 256) throw new InvalidOperationException($"Mqtt:Workers must be from 1 to 256 (was {settings.Workers}).");
        services.AddSingleton(settings);
        services.AddSingleton<MqttSensorIngest>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttSensorIngest>());
        return services;
    }
}

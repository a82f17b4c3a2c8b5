using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CityCase.Engine.Intake;

public static class IntakeConfiguration
{
    /// <summary>The daily case-number sequences and the sensor inbox (idempotency keys are plain documents).</summary>
    public static StoreOptions AddIntake(this StoreOptions opts, string schema)
    {
        opts.Storage.ExtendedSchemaObjects.Add(CaseNumbers.Table(schema));
        opts.Storage.ExtendedSchemaObjects.Add(SensorInbox.Table(schema)); // made whether or not this node speaks MQTT
        return opts;
    }

    /// <summary>Sensors' MQTT channel, when a broker is configured (<c>Mqtt__Host</c>); without one, nothing runs.</summary>
    public static IServiceCollection AddMqttSensorIngest(this IServiceCollection services, MqttSettings settings)
    {
        if (!settings.Enabled) return services;
        if (settings.Port is < 1 or > 65535) throw new InvalidOperationException($"Mqtt:Port must be from 1 to 65535 (was {settings.Port}).");
        if (settings.ReceiptBatchSize is < 1 or > 5000)
            throw new InvalidOperationException($"Mqtt:ReceiptBatchSize must be from 1 to 5000 (was {settings.ReceiptBatchSize}).");
        if (settings.FoldBatchSize is < 1 or > 5000)
            throw new InvalidOperationException($"Mqtt:FoldBatchSize must be from 1 to 5000 (was {settings.FoldBatchSize}).");
        if (settings.FoldWorkers is < 1 or > 16)
            throw new InvalidOperationException($"Mqtt:FoldWorkers must be from 1 to 16 (was {settings.FoldWorkers}).");
        if (settings.FoldPollMilliseconds is < 10 or > 60_000)
            throw new InvalidOperationException($"Mqtt:FoldPollMilliseconds must be from 10 to 60000 (was {settings.FoldPollMilliseconds}).");
        services.AddSingleton(settings);
        services.AddSingleton<SensorInbox>();
        services.AddSingleton<MqttSensorIngest>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttSensorIngest>());
        services.AddSingleton<SensorFolder>();
        services.AddHostedService(sp => sp.GetRequiredService<SensorFolder>());
        return services;
    }
}

using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CityCase.Engine.Evidence;

public static class EvidenceConfiguration
{
    /// <summary>The content-addressed photo table and the uploads' records.</summary>
    public static StoreOptions AddEvidence(this StoreOptions opts, string schema)
    {
        opts.Storage.ExtendedSchemaObjects.Add(AttachmentStore.Table(schema));
        opts.Schema.For<UploadedAttachment>();
        return opts;
    }

    public static IServiceCollection AddEvidenceServices(this IServiceCollection services, AttachmentSettings settings)
    {
        if (settings.MaxBytes is < 1024 or > 100L * 1024 * 1024)
            throw new InvalidOperationException($"Attachments:MaxBytes must be from 1024 to 104857600 (was {settings.MaxBytes}).");
        services.AddSingleton(settings);
        services.AddSingleton<AttachmentStore>();
        return services;
    }
}

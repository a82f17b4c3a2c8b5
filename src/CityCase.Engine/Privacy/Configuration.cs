using CityCase.Engine.Cases;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CityCase.Engine.Privacy;

public static class PrivacyConfiguration
{
    /// <summary>The data keys (with the phone lookup's index) and the retention scan's index on the case view.</summary>
    public static StoreOptions AddPrivacy(this StoreOptions opts)
    {
        opts.Schema.For<CitizenKey>().Index(x => x.PhoneHash!);
        opts.Schema.For<CaseView>().Index(x => x.EndedAtMs!);
        return opts;
    }

    /// <summary>The vault that seals and opens citizens, and the retention service on every node.</summary>
    public static IServiceCollection AddPrivacyServices(this IServiceCollection services, PrivacySettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.KeyFile))
            throw new InvalidOperationException(
                "City:Privacy:KeyFile must name the file with the city's privacy secret (openssl rand -base64 32 > privacy.key); " +
                "every node needs the same file.");
        if (settings.RetentionDays < 0) throw new InvalidOperationException($"City:Privacy:RetentionDays must be 0 (off) or more (was {settings.RetentionDays}).");
        services.AddSingleton(settings);
        services.AddSingleton(PrivacyKeys.FromFile(settings.KeyFile));
        services.AddSingleton<CitizenVault>();
        services.AddSingleton<CitizenDataRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<CitizenDataRetention>());
        return services;
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace CityCase.Engine.Audit;

public static class AuditConfiguration
{
    /// <summary>The chain (installed once the event tables exist) and the anchors, signed on schedule.</summary>
    public static IServiceCollection AddAuditTrail(this IServiceCollection services)
    {
        services.AddSingleton<AuditSigningKey>();
        services.AddSingleton<AuditChain>();
        services.AddSingleton<AuditAnchors>();
        services.AddHostedService<AuditChainInstaller>(); // after Marten's own start-up has made mt_events
        services.AddHostedService<AuditAnchorSchedule>();
        return services;
    }
}

/// <summary>
/// Signs the store's head once per <c>City:Audit:AnchorInterval</c> (daily by default; the first pass of each interval
/// on any node does it) and writes the anchors the directory lacks. Checks every minute (the first time a minute after
/// start-up), so a node that was down at the turn of the interval anchors soon after it comes back.
/// </summary>
public sealed class AuditAnchorSchedule(AuditAnchors anchors, AuditSigningKey key, CitySettings city, IClock clock, ILogger<AuditAnchorSchedule> log)
    : BackgroundService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMinutes(1);

    public override Task StartAsync(CancellationToken ct)
    {
        _ = key.Id; // a missing or bad signing key stops the start, not a pass an hour later
        return base.StartAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pause = city.Audit.AnchorInterval > TimeSpan.Zero && city.Audit.AnchorInterval < CheckEvery ? city.Audit.AnchorInterval : CheckEvery;
        try
        {
            await Task.Delay(city.Audit.FirstPassDelay, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (anchors.PeriodOf(clock.GetCurrentInstant()) is { } period) await anchors.AnchorAsync(period, stoppingToken);
                await anchors.ExportAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Audit anchoring failed; it is tried again in {Pause}", pause);
            }
            try
            {
                await Task.Delay(pause, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

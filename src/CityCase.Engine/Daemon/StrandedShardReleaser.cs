using JasperFx;
using JasperFx.Events.Daemon;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CityCase.Engine.Daemon;

/// <summary>
/// Hands a projection shard whose agent gave up back to the projection coordinator. After a database failover two nodes
/// can briefly run the same shard (each took its lock, one on the old server and one on the new); the slower one's
/// progress update is refused (<see cref="ProgressionProgressOutOfOrderException"/>) and its agent stops. The stopped
/// agent stays registered while its node keeps the shard's lock, and the coordinator starts only missing or paused
/// agents, so nobody ran the shard again: the standby failover test saw the scorecards stand still. Removed, the agent
/// is started again by the coordinator's next round on whichever node holds the lock, from the shard's recorded progress;
/// progress is only ever moved on from where it stands, so no range is applied twice.
/// </summary>
public sealed class StrandedShardReleaser(Marten.Events.Daemon.Coordination.IProjectionCoordinator coordinator, ILogger<StrandedShardReleaser> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ReleaseAsync();
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Could not look for stopped projection shards; looking again in {Seconds} s", Every.TotalSeconds);
            }
        }
    }

    /// <summary>Removes this node's agents stopped by a progress race; returns their shard names.</summary>
    public async Task<IReadOnlyList<string>> ReleaseAsync()
    {
        var daemon = coordinator.DaemonForMainDatabase();
        var stranded = daemon.CurrentAgents()
            .Where(a => a.Status == AgentStatus.Stopped && a.Failure?.Category == ShardFailureCategory.ProgressionOutOfOrder)
            .Select(a => a.Name.Identity).ToList();
        foreach (var shard in stranded)
        {
            logger.LogWarning("Projection shard {Shard} stopped because another node moved its progress (a failover's brief overlap); " +
                              "handing it back to the coordinator to start again where it stands", shard);
            await daemon.StopAgentAsync(shard);
        }
        return stranded;
    }
}

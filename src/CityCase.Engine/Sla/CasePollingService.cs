using CityCase.Engine.Lifecycle;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wolverine;

namespace CityCase.Engine.Sla;

/// <summary>
/// A pass every few seconds on every node, sending commands to cases through their aggregate handler: the
/// decider and the stream's optimistic concurrency make a repeat, a restart or a second node harmless.
/// </summary>
public abstract class CasePollingService(IServiceScopeFactory scopes, ILogger logger) : BackgroundService
{
    protected IServiceScopeFactory Scopes => scopes;

    /// <summary>Seconds between passes; 0 or less: no polling (tests drive <see cref="RunOnceAsync"/> themselves).</summary>
    protected abstract double PollSeconds { get; }

    /// <summary>One pass; returns how many commands it sent (or handed off) that were handled (or accepted).</summary>
    public abstract Task<int> RunOnceAsync(CancellationToken ct = default);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (PollSeconds <= 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(PollSeconds));
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "{Service} failed; retrying", GetType().Name);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Sends each command to its case; one that loses to a concurrent change is tried again next pass.</summary>
    protected async Task<int> SendAsync(IEnumerable<CaseCommandEnvelope> commands, CancellationToken ct)
    {
        using var scope = scopes.CreateScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        var handled = 0;
        foreach (var command in commands)
        {
            try
            {
                await bus.InvokeAsync(command, ct);
                handled++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogDebug(e, "{Command} on case {Case} not handled this time", command.Command.GetType().Name, command.CaseId);
            }
        }
        return handled;
    }
}

using System.Diagnostics;
using CityCase.Engine.Live;
using Microsoft.Extensions.DependencyInjection;

namespace CityCase.IntegrationTests.Infrastructure;

/// <summary>Waiting for something another process or node does, with a bound and a failure that says what did not happen.</summary>
public static class Eventually
{
    public static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout, string what, int pollMilliseconds = 100)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > timeout) throw new Xunit.Sdk.XunitException($"{what} did not happen within {timeout.TotalSeconds} s");
            await Task.Delay(pollMilliseconds);
        }
    }

    /// <summary>
    /// Until a client's live subscription has reached the node's feed: its subscribe message follows the connection's
    /// ack, so a change made right after the ack could come before anyone listens. A failure shows the client's output.
    /// </summary>
    public static async Task Subscribed(CityCaseServer node, Func<CaseChangeFeed, bool> subscribed, Func<string>? clientOutput = null)
    {
        var feed = node.Services.GetRequiredService<CaseChangeFeed>();
        await feed.Listening;
        for (var waited = Stopwatch.StartNew(); !subscribed(feed); await Task.Delay(25))
            if (waited.Elapsed > TimeSpan.FromSeconds(5))
                throw new Xunit.Sdk.XunitException($"the subscription did not reach the node within 5 s: {clientOutput?.Invoke()}");
    }
}
